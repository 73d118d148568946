# Reference values for LinearMixedModel with residual structures, from nlme::lme with corAR1,
# corCAR1 and varIdent (alone and with corAR1), REML and ML.
# Run from the repository root:  Rscript Fixtures/references/make_residual.R
# Reads Fixtures/references/growth/{sleepstudy,teachers}.csv and writes
# Fixtures/references/residual/expected.csv (model,formula,criterion,quantity,name,value; %.17g)
# and Fixtures/references/residual/teachers-months.csv (teachers with unequally spaced times,
# months = 0, 1.5, 4, 9, 12 for waves 0-4, for corCAR1).
# intervals(): nlme's approximate 95% intervals of phi (corStruct) and of the varIdent SD
# ratios (varStruct), Wald on nlme's unconstrained scales.
# `formula` is the lme4-style formula and the AR(1) grouping the finest grouping factor.
suppressPackageStartupMessages(library(nlme))
invisible(Sys.setlocale("LC_COLLATE", "C"))
src <- "Fixtures/references/growth"
out <- "Fixtures/references/residual"
dir.create(out, showWarnings = FALSE, recursive = TRUE)
rows <- list()
add <- function(model, formula, criterion, quantity, name, value) {
  rows[[length(rows) + 1]] <<- data.frame(model = model, formula = formula, criterion = criterion,
    quantity = quantity, name = name, value = sprintf("%.17g", value))
}
ctl <- lmeControl(msTol = 1e-14, tolerance = 1e-12, msMaxIter = 1000, maxIter = 1000,
                  msMaxEval = 5000)
ctlOptim <- lmeControl(opt = "optim", optimMethod = "BFGS", niterEM = 0, msTol = 1e-14,
                       tolerance = 1e-12, msMaxIter = 1000, maxIter = 1000, msMaxEval = 5000)
# The better (higher log-likelihood) of the tight nlminb and tight optim fits: with varIdent
# and corCAR1 each stops short of the optimum on some models (by up to 5e-5 in log-likelihood,
# 1e-4 relative in phi).
lmeBest <- function(...) {
  mc <- match.call(); mc[[1]] <- quote(lme)
  one <- function(control) { mc$control <- control; tryCatch(eval(mc, globalenv()), error = function(e) NULL) }
  fits <- list(one(quote(ctl)), one(quote(ctlOptim)))
  fits <- Filter(Negate(is.null), fits)
  fits[[which.max(sapply(fits, function(f) as.numeric(logLik(f))))]]
}
# An independent check of the Wald intervals of the SD ratios: the curvature of the profile
# log-likelihood in log(delta) (each ratio fixed in turn at exp(+-0.02) times its estimate and
# the model refitted), Wald on the log scale. nlme's intervals() (fdHess) differs from it by
# up to 15% in width for REML fits.
profileIntervals <- function(fit, by, a) {
  r <- coef(fit$modelStruct$varStruct, unconstrained = FALSE)
  l0 <- as.numeric(logLik(fit)); h <- 0.02
  for (l in names(r)) {
    pl <- function(psi) as.numeric(logLik(update(fit, control = ctl,
      weights = varIdent(form = as.formula(paste("~ 1 |", by)), fixed = setNames(exp(psi), l)))))
    psi <- log(r[[l]])
    se <- 1 / sqrt(-(pl(psi + h) - 2 * l0 + pl(psi - h)) / h^2)
    a("sdRatioProfileLower", l, exp(psi - qnorm(0.975) * se))
    a("sdRatioProfileUpper", l, exp(psi + qnorm(0.975) * se))
  }
}
# The same for phi: corAR1 (atanh scale) or corCAR1 (logit scale) fixed at the estimate moved
# by +-0.02 on that scale, the rest refitted.
profilePhi <- function(fit, a) {
  cs <- fit$modelStruct$corStruct
  car <- inherits(cs, "corCAR1")
  to <- if (car) plogis else tanh
  z <- if (car) qlogis(coef(cs, unconstrained = FALSE)) else atanh(coef(cs, unconstrained = FALSE))
  form <- formula(cs); ctor <- if (car) corCAR1 else corAR1
  l0 <- as.numeric(logLik(fit)); h <- 0.02
  pl <- function(x) as.numeric(logLik(update(fit, control = ctl,
    correlation = ctor(value = to(x), form = form, fixed = TRUE))))
  se <- 1 / sqrt(-(pl(z + h) - 2 * l0 + pl(z - h)) / h^2)
  a("phiProfileLower", "", to(z - qnorm(0.975) * se))
  a("phiProfileUpper", "", to(z + qnorm(0.975) * se))
}
record <- function(model, formula, fit, by = NULL) {
  crit <- fit$method
  a <- function(q, n, v) add(model, formula, crit, q, n, v)
  tt <- summary(fit)$tTable
  for (t in rownames(tt)) { a("estimate", t, tt[t, "Value"]); a("stdError", t, tt[t, "Std.Error"]) }
  cs <- fit$modelStruct$corStruct
  if (!is.null(cs)) a("phi", "", coef(cs, unconstrained = FALSE))
  vs <- fit$modelStruct$varStruct
  if (!is.null(vs)) {
    r <- coef(vs, unconstrained = FALSE)
    a("sdRatio", attr(vs, "groupNames")[1], 1)
    for (l in names(r)) a("sdRatio", l, r[[l]])
  }
  iv <- tryCatch(intervals(fit, which = "var-cov"), error = function(e) NULL)
  if (!is.null(iv$corStruct)) {
    a("phiLower", "", iv$corStruct[1, "lower"]); a("phiUpper", "", iv$corStruct[1, "upper"])
  }
  if (!is.null(iv$varStruct)) for (l in rownames(iv$varStruct)) {
    a("sdRatioLower", l, iv$varStruct[l, "lower"]); a("sdRatioUpper", l, iv$varStruct[l, "upper"])
  }
  if (!is.null(by)) profileIntervals(fit, by, a)
  if (!is.null(cs)) tryCatch(profilePhi(fit, a), error = function(e) cat(model, "no phi profile:", conditionMessage(e), "\n"))
  a("residualSD", "", fit$sigma)
  a("logLikelihood", "", as.numeric(logLik(fit)))
  a("aic", "", AIC(fit)); a("bic", "", BIC(fit))
  a("nobs", "", fit$dims$N)
  # Random-effect covariances at full precision (VarCorr() prints rounded text).
  re <- fit$modelStruct$reStruct
  for (g in names(re)) {
    S <- as.matrix(re[[g]]) * fit$sigma^2
    for (i in seq_len(nrow(S))) a("sd", paste(g, rownames(S)[i], sep = "|"), sqrt(S[i, i]))
    if (nrow(S) > 1) {
      R <- cov2cor(S)
      for (i in 2:nrow(S)) for (j in 1:(i - 1))
        a("correlation", paste(g, rownames(S)[i], rownames(S)[j], sep = "|"), R[i, j])
    }
  }
  cat(model, "logLik", logLik(fit), "\n")
}
sleep <- read.csv(file.path(src, "sleepstudy.csv"))
d <- read.csv(file.path(src, "teachers.csv"))
d <- d[!is.na(d$score), ]
dm <- read.csv(file.path(src, "teachers.csv"))
dm$months <- c(0, 1.5, 4, 9, 12)[dm$wave + 1]
dm$wave2 <- NULL
write.csv(dm, file.path(out, "teachers-months.csv"), row.names = FALSE, na = "")
dm <- dm[!is.na(dm$score), ]
for (meth in c("REML", "ML")) {
  sfx <- tolower(meth)
  record(paste0("sleep-ar1-intercept-", sfx), "Reaction ~ Days + (1 | Subject)",
         lme(Reaction ~ Days, random = ~ 1 | Subject, data = sleep, method = meth,
             correlation = corAR1(form = ~ Days | Subject)))
  # nlme's default optimizer (nlminb) stops at its iteration limit here (lme4#957,
  # glmmTMB#986); opt = "optim" converges.
  record(paste0("sleep-ar1-slope-", sfx), "Reaction ~ Days + (Days | Subject)",
         lme(Reaction ~ Days, random = ~ Days | Subject, data = sleep, method = meth,
             correlation = corAR1(form = ~ Days | Subject), control = lmeControl(opt = "optim")))
  # Teachers within schools, 12 scores missing: corAR1 correlates by position within a teacher.
  record(paste0("teachers-ar1-", sfx), "score ~ wave + sector + (1 | school/teacher)",
         lme(score ~ wave + sector, random = ~ 1 | school/teacher, data = d, method = meth,
             correlation = corAR1(form = ~ wave | school/teacher)))
  # varIdent per wave, alone and with corAR1.
  record(paste0("teachers-varident-", sfx), "score ~ wave + sector + (1 | school/teacher)",
         lmeBest(score ~ wave + sector, random = ~ 1 | school/teacher, data = d, method = meth,
                 weights = varIdent(form = ~ 1 | wave)), by = "wave")
  record(paste0("teachers-ar1-varident-", sfx), "score ~ wave + sector + (1 | school/teacher)",
         lmeBest(score ~ wave + sector, random = ~ 1 | school/teacher, data = d, method = meth,
                 correlation = corAR1(form = ~ wave | school/teacher),
                 weights = varIdent(form = ~ 1 | wave)), by = "wave")
  # nlme's defaults stop short with varIdent (with ten strata about 5e-5 in log-likelihood,
  # SD ratios off by 2e-4): tight tolerances (lmeBest) reach the optimum.
  record(paste0("sleep-varident-", sfx), "Reaction ~ Days + (Days | Subject)",
         lmeBest(Reaction ~ Days, random = ~ Days | Subject, data = sleep, method = meth,
                 weights = varIdent(form = ~ 1 | Days)), by = "Days")
  # corCAR1 on unequally spaced times.
  record(paste0("teachers-car1-", sfx), "score ~ months + sector + (1 | school/teacher)",
         lmeBest(score ~ months + sector, random = ~ 1 | school/teacher, data = dm, method = meth,
                 correlation = corCAR1(form = ~ months | school/teacher)))
}
# With random slopes nlme stops at a correlation of 0.90, short of the maximum, which lies on
# the boundary (correlation 1), where its log-Cholesky parametrisation cannot go. An
# independent evaluation: the (restricted) log-likelihood from the dense marginal covariance
# V = Z G Z' + s2 R(phi) per subject, maximised by nlminb over a Cholesky factor of G (which
# allows a correlation of 1), phi and log s2, from nlme's estimates and from other starts.
independent <- function(data, REML) {
  X <- cbind(1, data$Days); y <- data$Reaction; g <- data$Subject
  subjects <- split(seq_len(nrow(data)), g)
  dev <- function(par) {
    L <- matrix(c(par[1], par[2], 0, par[3]), 2); G <- L %*% t(L)
    phi <- tanh(par[4]); s2 <- exp(par[5])
    XtVX <- 0; XtVy <- 0; logdet <- 0; parts <- list()
    for (idx in subjects) {
      Z <- cbind(1, data$Days[idx]); t <- data$Days[idx]
      V <- Z %*% G %*% t(Z) + s2 * phi^abs(outer(t, t, "-"))
      C <- chol(V); logdet <- logdet + 2 * sum(log(diag(C)))
      Xi <- backsolve(C, X[idx, ], transpose = TRUE); yi <- backsolve(C, y[idx], transpose = TRUE)
      XtVX <- XtVX + crossprod(Xi); XtVy <- XtVy + crossprod(Xi, yi)
      parts[[length(parts) + 1]] <- list(X = Xi, y = yi)
    }
    beta <- solve(XtVX, XtVy)
    rss <- sum(sapply(parts, function(q) sum((q$y - q$X %*% beta)^2)))
    n <- nrow(data); p <- ncol(X)
    d <- logdet + rss + n * log(2 * pi)
    if (REML) d <- d + as.numeric(determinant(XtVX)$modulus) - p * log(2 * pi)
    d
  }
  best <- NULL
  for (start in list(c(14.9, 4.3, 2.1, atanh(0.49), log(930)), c(24, 5, 0.01, atanh(0.3), log(600)),
                     c(20, 1, 4, 0, log(900)))) {
    o <- nlminb(start, dev, lower = c(-Inf, -Inf, 0, -5, -Inf), control = list(eval.max = 5000, iter.max = 2000, rel.tol = 1e-14))
    if (is.null(best) || o$objective < best$objective) best <- o
  }
  list(logLik = -best$objective / 2, phi = tanh(best$par[4]))
}
for (meth in c("REML", "ML")) {
  r <- independent(sleep, meth == "REML")
  m <- paste0("sleep-ar1-slope-", tolower(meth))
  add(m, "Reaction ~ Days + (Days | Subject)", meth, "independentLogLikelihood", "", r$logLik)
  add(m, "Reaction ~ Days + (Days | Subject)", meth, "independentPhi", "", r$phi)
  cat(m, "independent optimum: logLik", r$logLik, "phi", r$phi, "\n")
}
write.csv(do.call(rbind, rows), file.path(out, "expected.csv"), row.names = FALSE, quote = TRUE)
cat("nlme", as.character(packageVersion("nlme")), "\n")
