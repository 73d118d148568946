# Reference values for profile-likelihood confidence intervals of LinearMixedModel fits:
# lme4's confint(fit, method = "profile") (profile.merMod + confint.thpr).
# Run from the repository root:  Rscript Fixtures/references/make_profile.R
# Reads the data sets of make_growth.R (Fixtures/references/growth/*.csv) and writes
# Fixtures/references/inference/profile.csv (model,formula,criterion,quantity,name,value; %.17g).
#
# Names are lme4's (oldNames = TRUE): .sig01, .sig02, ... (SDs and correlations per block, in
# VarCorr order), .sigma, then the fixed effects. A bound lme4 cannot find (the profile does
# not cross the threshold, or an SD estimated at 0) is the parameter's range end: 0 for an SD,
# -1/1 for a correlation, Inf; "NA" is written as is.
# lme4 profiles every fit on the ML deviance (devfun2 calls refitML), so REML and ML fits of
# one model have the same intervals; both are recorded.
# quantity: estimate (the ML estimate on the sd/cor scale), lower, upper (level 0.95), and
# lower90/upper90 (level 0.90). The bounds are lme4's interpolating splines of the profile
# evaluated at qnorm((1 -/+ level)/2), through profile points about z/8 apart (the default
# delta.cutoff = 1/8). The same with points 8 times denser (delta.cutoff = 1/64) are
# lowerFine, upperFine, lowerFine90, upperFine90: the spline error shrinks, and these are the
# closer reference for exact roots of the profile; see Fixtures/README.md for the tolerances.
suppressPackageStartupMessages(library(lme4))
invisible(Sys.setlocale("LC_COLLATE", "C"))
src <- "Fixtures/references/growth"
out <- "Fixtures/references/inference"
rows <- list()
add <- function(model, formula, criterion, quantity, name, value) {
  rows[[length(rows) + 1]] <<- data.frame(model = model, formula = formula, criterion = criterion,
    quantity = quantity, name = name, value = sprintf("%.17g", value))
}
timings <- list()
record <- function(model, formula, data, REML = TRUE) {
  crit <- if (REML) "REML" else "ML"
  fit <- lmer(as.formula(formula), data = data, REML = REML)
  t0 <- proc.time()[["elapsed"]]
  pr <- suppressWarnings(profile(fit))
  elapsed <- proc.time()[["elapsed"]] - t0
  ci95 <- suppressWarnings(confint(pr, level = 0.95))
  ci90 <- suppressWarnings(confint(pr, level = 0.90))
  fine <- suppressWarnings(profile(fit, delta.cutoff = 1/64))
  fine95 <- suppressWarnings(confint(fine, level = 0.95))
  fine90 <- suppressWarnings(confint(fine, level = 0.90))
  ml <- if (REML) refitML(fit) else fit
  est <- c(lme4:::Cv_to_Sv(getME(ml, "theta"), n = lengths(ml@cnms), s = sigma(ml)), fixef(ml))
  names(est) <- rownames(ci95)
  for (t in rownames(ci95)) {
    a <- function(q, v) add(model, formula, crit, q, t, v)
    a("estimate", est[[t]]); a("lower", ci95[t, 1]); a("upper", ci95[t, 2])
    a("lower90", ci90[t, 1]); a("upper90", ci90[t, 2])
    a("lowerFine", fine95[t, 1]); a("upperFine", fine95[t, 2])
    a("lowerFine90", fine90[t, 1]); a("upperFine90", fine90[t, 2])
  }
  message(sprintf("%s: profile %.2f s", model, elapsed))
}
sleep <- read.csv(file.path(src, "sleepstudy.csv"), colClasses = c(Subject = "character"))
dye <- read.csv(file.path(src, "dyestuff.csv"))
dye2 <- read.csv(file.path(src, "dyestuff2.csv"))
teachers <- read.csv(file.path(src, "teachers.csv"))
record("sleep-slope-reml", "Reaction ~ Days + (Days | Subject)", sleep, TRUE)
record("sleep-slope-ml", "Reaction ~ Days + (Days | Subject)", sleep, FALSE)
record("dyestuff-reml", "Yield ~ 1 + (1 | Batch)", dye, TRUE)
record("dyestuff2-reml", "Yield ~ 1 + (1 | Batch)", dye2, TRUE)
record("nested-ml", "score ~ wave + sector + (1 | school/teacher)", teachers, FALSE)
res <- do.call(rbind, rows)
write.csv(res, file.path(out, "profile.csv"), row.names = FALSE)
cat(sprintf("lme4 %s, R %s\n", packageVersion("lme4"), getRversion()))
