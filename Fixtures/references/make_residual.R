# Reference values for LinearMixedModel with AR(1) residuals, from nlme::lme with corAR1.
# Run from the repository root:  Rscript Fixtures/references/make_residual.R
# Reads Fixtures/references/growth/{sleepstudy,teachers}.csv and writes
# Fixtures/references/residual/expected.csv (model,formula,criterion,quantity,name,value; %.17g).
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
record <- function(model, formula, fit) {
  crit <- fit$method
  a <- function(q, n, v) add(model, formula, crit, q, n, v)
  tt <- summary(fit)$tTable
  for (t in rownames(tt)) { a("estimate", t, tt[t, "Value"]); a("stdError", t, tt[t, "Std.Error"]) }
  a("phi", "", coef(fit$modelStruct$corStruct, unconstrained = FALSE))
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
  cat(model, "phi", coef(fit$modelStruct$corStruct, unconstrained = FALSE), "logLik", logLik(fit), "\n")
}
sleep <- read.csv(file.path(src, "sleepstudy.csv"))
d <- read.csv(file.path(src, "teachers.csv"))
d <- d[!is.na(d$score), ]
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
