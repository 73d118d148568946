# Reference values for inference on LinearMixedModel fits: Satterthwaite degrees of freedom,
# t and F tests and Wald intervals from lmerTest, R² and ICC from performance.
# Run from the repository root:  Rscript Fixtures/references/make_inference.R
# Reads the data sets of make_growth.R (Fixtures/references/growth/*.csv) and writes
# Fixtures/references/inference/expected.csv (model,formula,criterion,quantity,name,value; %.17g).
#
# Satterthwaite (lmerTest::as_lmerModLmerTest): the Hessian of the deviance in (theta, sigma)
# by numDeriv::hessian and the Jacobian of vcov(beta) by numDeriv::jacobian; t tests from
# summary(), F tests from anova(type = 3) (lmerTest's type III contrasts), intervals
# estimate -/+ qt(0.975, df) * SE (as lmerTest::contest1D(confint = TRUE)).
# R² and ICC: performance::r2_nakagawa and performance::icc (Nakagawa, Johnson and Schielzeth
# 2017; random slopes as Johnson 2014: mean of diag(Z Sigma Z')).
suppressPackageStartupMessages({ library(lme4); library(lmerTest); library(performance) })
invisible(Sys.setlocale("LC_COLLATE", "C"))
src <- "Fixtures/references/growth"
out <- "Fixtures/references/inference"
dir.create(out, showWarnings = FALSE, recursive = TRUE)
rows <- list()
add <- function(model, formula, criterion, quantity, name, value) {
  rows[[length(rows) + 1]] <<- data.frame(model = model, formula = formula, criterion = criterion,
    quantity = quantity, name = name, value = sprintf("%.17g", value))
}
record <- function(model, formula, data, REML = TRUE) {
  crit <- if (REML) "REML" else "ML"
  fit <- lmerTest::lmer(as.formula(formula), data = data, REML = REML)
  a <- function(q, n, v) add(model, formula, crit, q, n, v)
  cf <- summary(fit, ddf = "Satterthwaite")$coefficients
  for (t in rownames(cf)) {
    a("estimate", t, cf[t, "Estimate"]); a("stdError", t, cf[t, "Std. Error"])
    a("df", t, cf[t, "df"]); a("tValue", t, cf[t, "t value"]); a("pValue", t, cf[t, "Pr(>|t|)"])
    ci <- cf[t, "Estimate"] + c(-1, 1) * qt(0.975, cf[t, "df"]) * cf[t, "Std. Error"]
    a("ciLower", t, ci[1]); a("ciUpper", t, ci[2])
  }
  # Residual degrees of freedom (n - p) for --df residual.
  a("residualDF", "", nobs(fit) - length(fixef(fit)))
  av <- anova(fit, type = 3, ddf = "Satterthwaite")
  for (t in rownames(av)) {
    a("numDF", t, av[t, "NumDF"]); a("denDF", t, av[t, "DenDF"])
    a("fValue", t, av[t, "F value"]); a("fPValue", t, av[t, "Pr(>F)"])
  }
  vp <- fit@vcov_varpar
  for (i in seq_len(nrow(vp))) for (j in seq_len(i)) a("vcovVarpar", paste(i, j, sep = ","), vp[i, j])
  r2 <- suppressWarnings(performance::r2_nakagawa(fit))
  a("r2Marginal", "", r2$R2_marginal); a("r2Conditional", "", r2$R2_conditional)
  ic <- suppressWarnings(performance::icc(fit))
  a("iccAdjusted", "", ic$ICC_adjusted)
  a("iccUnadjusted", "", if (!is.null(ic$ICC_unadjusted)) ic$ICC_unadjusted else ic$ICC_conditional)
  v <- suppressWarnings(insight::get_variance(fit))
  a("varianceFixed", "", v$var.fixed); a("varianceRandom", "", v$var.random)
  a("varianceResidual", "", v$var.residual)
  # The same formulas over every VarCorr block. insight 0.19 looks blocks up by the grouping
  # factor's name, so for (x || g) it keeps only the first block ("g", not "g.1"); these
  # values are the formula itself (they equal performance's whenever each factor has one block).
  X <- getME(fit, "X"); vc <- VarCorr(fit)
  vf <- var(drop(X %*% fixef(fit)))
  vr <- sum(sapply(vc, function(S) {
    Z <- X[, rownames(S), drop = FALSE]; sum(diag(crossprod(Z %*% S, Z))) / nrow(X) }))
  s2 <- sigma(fit)^2
  a("allBlocksVarianceRandom", "", vr)
  a("allBlocksR2Marginal", "", vf / (vf + vr + s2)); a("allBlocksR2Conditional", "", (vf + vr) / (vf + vr + s2))
  a("allBlocksIccAdjusted", "", vr / (vr + s2)); a("allBlocksIccUnadjusted", "", vr / (vf + vr + s2))
  invisible(fit)
}

sleep <- read.csv(file.path(src, "sleepstudy.csv"))
dye <- read.csv(file.path(src, "dyestuff.csv"))
dye2 <- read.csv(file.path(src, "dyestuff2.csv"))
d <- read.csv(file.path(src, "teachers.csv"))
d$sector <- factor(d$sector)
for (reml in c(TRUE, FALSE)) {
  sfx <- if (reml) "reml" else "ml"
  record(paste0("sleep-slope-", sfx), "Reaction ~ Days + (Days | Subject)", sleep, reml)
  record(paste0("nested-slope-", sfx),
         "score ~ wave * sector + (wave | school) + (1 | school:teacher)", d, reml)
}
record("sleep-diag-reml", "Reaction ~ Days + (Days || Subject)", sleep)
record("dyestuff-reml", "Yield ~ 1 + (1 | Batch)", dye)
record("nested-reml", "score ~ wave + sector + (1 | school/teacher)", d)
# Both predictors categorical (wave as a factor: --factor wave): type III contrasts of sector
# are orthogonalised against the sector:wave interaction.
d2 <- d; d2$wave <- factor(d2$wave)
record("factorial-reml", "score ~ sector * wave + (1 | school)", d2)

write.csv(do.call(rbind, rows), file.path(out, "expected.csv"), row.names = FALSE, quote = TRUE)
cat("lme4", as.character(packageVersion("lme4")), "lmerTest", as.character(packageVersion("lmerTest")),
    "numDeriv", as.character(packageVersion("numDeriv")),
    "performance", as.character(packageVersion("performance")),
    "insight", as.character(packageVersion("insight")), "\n")
