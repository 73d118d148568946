# Times lme4::lmer alone (the CSV is read before the clock starts) and prints
# "lme4: <seconds> s; REML <criterion>". With REPEATS > 1 the call is repeated in the same
# session and the median is printed (later calls skip R's first-call costs, in lme4's favour).
# Usage: Rscript growth_lme4.R FILE.csv "FORMULA" [REPEATS]
suppressPackageStartupMessages(library(lme4))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], stringsAsFactors = TRUE)
f <- as.formula(args[2])
repeats <- if (length(args) >= 3) as.integer(args[3]) else 1L
times <- numeric(repeats)
for (i in seq_len(repeats)) times[i] <- system.time(fit <- lmer(f, data = d))[["elapsed"]]
cat(sprintf("lme4: %.3f s; REML %.10f\n", median(times), REMLcrit(fit)))
