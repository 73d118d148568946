# Reference values for MixedModels' LinearMixedModel, from lme4::lmer.
# Run from the repository root:  Rscript Fixtures/references/make_growth.R
# Writes Fixtures/references/growth/<dataset>.csv (the data; empty cell = missing) and
# Fixtures/references/growth/expected.csv (model,formula,criterion,quantity,name,value; %.17g).
suppressPackageStartupMessages(library(lme4))
invisible(Sys.setlocale("LC_COLLATE", "C"))  # factor levels in code-point order, as the library
out <- "Fixtures/references/growth"
dir.create(out, showWarnings = FALSE, recursive = TRUE)
rows <- list()
add <- function(model, formula, criterion, quantity, name, value) {
  rows[[length(rows) + 1]] <<- data.frame(model = model, formula = formula, criterion = criterion,
    quantity = quantity, name = name, value = sprintf("%.17g", value))
}
record <- function(model, formula, data, REML = TRUE) {
  crit <- if (REML) "REML" else "ML"
  fit <- lmer(as.formula(formula), data = data, REML = REML)
  a <- function(q, n, v) add(model, formula, crit, q, n, v)
  cf <- summary(fit)$coefficients
  for (t in rownames(cf)) {
    a("estimate", t, cf[t, "Estimate"]); a("stdError", t, cf[t, "Std. Error"])
    a("tValue", t, cf[t, "t value"])
  }
  vc <- as.data.frame(VarCorr(fit))
  for (i in seq_len(nrow(vc))) {
    if (vc$grp[i] == "Residual") next
    if (is.na(vc$var2[i])) a("sd", paste(vc$grp[i], vc$var1[i], sep = "|"), vc$sdcor[i])
    else a("correlation", paste(vc$grp[i], vc$var1[i], vc$var2[i], sep = "|"), vc$sdcor[i])
  }
  a("residualSD", "", sigma(fit))
  th <- getME(fit, "theta")
  for (i in seq_along(th)) a("theta", as.character(i), th[i])
  a("logLikelihood", "", as.numeric(logLik(fit)))
  if (REML) a("remlCriterion", "", REMLcrit(fit))
  a("deviance", "", if (REML) REMLcrit(fit) else deviance(fit))
  a("aic", "", AIC(fit)); a("bic", "", BIC(fit))
  a("nobs", "", nobs(fit))
  a("singular", "", as.numeric(isSingular(fit)))
  for (g in names(ngrps(fit))) a("levels", g, ngrps(fit)[[g]])
  re <- as.data.frame(ranef(fit, condVar = TRUE))
  for (i in seq_len(nrow(re))) {
    key <- paste(re$grpvar[i], re$grp[i], re$term[i], sep = "|")
    a("conditionalMode", key, re$condval[i]); a("conditionalSD", key, re$condsd[i])
  }
  f <- fitted(fit)
  for (i in c(1, 2, length(f))) a("fitted", as.character(i), f[i])
  invisible(fit)
}

# lme4's own data sets.
write.csv(sleepstudy, file.path(out, "sleepstudy.csv"), row.names = FALSE)
write.csv(Dyestuff, file.path(out, "dyestuff.csv"), row.names = FALSE)
write.csv(Dyestuff2, file.path(out, "dyestuff2.csv"), row.names = FALSE)
for (reml in c(TRUE, FALSE)) {
  sfx <- if (reml) "reml" else "ml"
  record(paste0("sleep-slope-", sfx), "Reaction ~ Days + (Days | Subject)", sleepstudy, reml)
  record(paste0("sleep-diag-", sfx), "Reaction ~ Days + (Days || Subject)", sleepstudy, reml)
  record(paste0("dyestuff-", sfx), "Yield ~ 1 + (1 | Batch)", Dyestuff, reml)
  record(paste0("dyestuff2-", sfx), "Yield ~ 1 + (1 | Batch)", Dyestuff2, reml)
}

# A teacher-in-school panel: 30 schools in three sectors, 4 teachers each (ids t1-t4 repeat
# across schools, so only school/teacher identifies a teacher), 5 waves; 12 scores missing.
set.seed(20261130)
S <- 30; Tn <- 4; W <- 5
sector <- sample(c("Public", "Catholic", "Charter"), S, replace = TRUE)
d <- expand.grid(wave = 0:(W - 1), teacher = paste0("t", 1:Tn), school = sprintf("s%02d", 1:S),
                 stringsAsFactors = FALSE)[, c("school", "teacher", "wave")]
si <- match(d$school, sprintf("s%02d", 1:S))
d$sector <- sector[si]
u0 <- rnorm(S, 0, 0.5)[si]; u1 <- rnorm(S, 0, 0.15)[si]
v0 <- rnorm(S * Tn, 0, 0.4)[(si - 1) * Tn + match(d$teacher, paste0("t", 1:Tn))]
eff <- c(Public = 0, Catholic = 0.3, Charter = -0.2)[d$sector]
d$score <- round(3 + eff + (0.2 + u1) * d$wave + 0.05 * (d$sector == "Catholic") * d$wave +
  u0 + v0 + rnorm(nrow(d), 0, 0.6), 3)
d$score[sample(nrow(d), 12)] <- NA
d$wave2 <- 2 * d$wave  # collinear with wave: lme4 drops it
write.csv(d, file.path(out, "teachers.csv"), row.names = FALSE, na = "")
d$sector <- factor(d$sector)
for (reml in c(TRUE, FALSE)) {
  sfx <- if (reml) "reml" else "ml"
  record(paste0("nested-", sfx), "score ~ wave + sector + (1 | school/teacher)", d, reml)
  record(paste0("nested-slope-", sfx),
         "score ~ wave * sector + (wave | school) + (1 | school:teacher)", d, reml)
}
record("rank-deficient-reml", "score ~ wave + wave2 + (1 | school)", d, TRUE)

write.csv(do.call(rbind, rows), file.path(out, "expected.csv"), row.names = FALSE, quote = TRUE)
cat("lme4", as.character(packageVersion("lme4")), "Matrix", as.character(packageVersion("Matrix")), "\n")
