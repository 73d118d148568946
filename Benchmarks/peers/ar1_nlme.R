# nlme::lme with corAR1 on the panel written by growth-inference-timing (same model as ours).
# Rscript Benchmarks/peers/ar1_nlme.R panel.csv
suppressPackageStartupMessages(library(nlme))
args <- commandArgs(TRUE)
d <- read.csv(args[1]); d$sector <- factor(d$sector); d$school <- factor(d$school)
t <- system.time(f <- try(lme(score ~ wave * sector, random = ~ wave | school, data = d,
  correlation = corAR1(form = ~ wave | school), control = lmeControl(opt = "optim"))))
cat(sprintf("nlme::lme + corAR1 (opt = optim): %.2f s elapsed (cpu %.2f s)", t[["elapsed"]],
  t[["user.self"]] + t[["sys.self"]]), "\n")
if (!inherits(f, "try-error"))
  cat("phi", coef(f$modelStruct$corStruct, unconstrained = FALSE), "logLik", as.numeric(logLik(f)), "\n")
