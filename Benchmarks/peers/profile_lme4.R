# Times lme4's confint(fit, method = "profile") alone (the CSV is read and the model fitted
# before the clock starts) and prints the time and the intervals as CSV lines
# "name,lower,upper" (%.10g).
# Usage: Rscript profile_lme4.R FILE.csv "FORMULA"
suppressPackageStartupMessages(library(lme4))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], stringsAsFactors = TRUE)
fit <- lmer(as.formula(args[2]), data = d)
t <- system.time(ci <- suppressMessages(suppressWarnings(confint(fit, method = "profile"))))
cat(sprintf("lme4: %.3f s\n", t[["elapsed"]]))
for (n in rownames(ci)) cat(sprintf("%s,%.10g,%.10g\n", n, ci[n, 1], ci[n, 2]))
