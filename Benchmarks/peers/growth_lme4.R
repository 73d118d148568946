# Times lme4::lmer alone (the CSV is read before the clock starts) and prints
# "lme4: <seconds> s; REML <criterion>".
# Usage: Rscript growth_lme4.R FILE.csv "FORMULA"
suppressPackageStartupMessages(library(lme4))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], stringsAsFactors = TRUE)
f <- as.formula(args[2])
t <- system.time(fit <- lmer(f, data = d))[["elapsed"]]
cat(sprintf("lme4: %.3f s; REML %.10f\n", t, REMLcrit(fit)))
