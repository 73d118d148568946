# nlme::lme with corAR1 and varIdent(~ 1 | wave) on the panel of ar1_varident_data.py, with
# opt = "optim", the default nlminb, and nlminb with 500 iterations (the first two fail at
# 10,000 schools).  Rscript Benchmarks/peers/ar1_varident_nlme.R panel.csv
suppressPackageStartupMessages(library(nlme))
args <- commandArgs(TRUE)
d <- read.csv(args[1]); d$school <- factor(d$school)
controls <- list(`opt = optim` = lmeControl(opt = "optim"), `default nlminb` = lmeControl(),
                 `nlminb, 500 iterations` = lmeControl(maxIter = 500, msMaxIter = 500,
                                                       msMaxEval = 2000))
for (name in names(controls)) {
  t <- system.time(f <- try(lme(score ~ wave, random = ~ wave | school, data = d,
    correlation = corAR1(form = ~ wave | school), weights = varIdent(form = ~ 1 | wave),
    control = controls[[name]]), silent = TRUE))
  cat(sprintf("nlme::lme + corAR1 + varIdent (%s): %.2f s elapsed", name, t[["elapsed"]]))
  if (inherits(f, "try-error")) cat(" FAILED:", conditionMessage(attr(f, "condition")), "\n")
  else cat(" phi", coef(f$modelStruct$corStruct, unconstrained = FALSE),
           "ratios", round(coef(f$modelStruct$varStruct, unconstrained = FALSE), 6),
           "logLik", sprintf("%.4f", as.numeric(logLik(f))), "\n")
}
