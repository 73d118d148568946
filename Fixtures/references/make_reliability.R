# Reference values for Scoring's ReliabilityAnalysis, from psych::alpha.
# Run from the repository root:  Rscript Fixtures/references/make_reliability.R
# Writes Fixtures/references/reliability/<dataset>.csv (items; empty cell = missing) and
# Fixtures/references/reliability/expected.csv (dataset,statistic,item,value; %.17g).
suppressPackageStartupMessages(library(psych))
out <- "Fixtures/references/reliability"
dir.create(out, showWarnings = FALSE, recursive = TRUE)
rows <- list()
add <- function(dataset, statistic, item, value) {
  rows[[length(rows) + 1]] <<- data.frame(dataset = dataset, statistic = statistic, item = item,
                                          value = sprintf("%.17g", value))
}
# McDonald's omega total from one factor: minres loadings as psych::omega(nfactors = 1), and
# maximum-likelihood loadings as factanal on the same (pairwise) correlations, with omega's
# formula (sum(R) - sum(uniquenesses)) / sum(R).
record_omega <- function(name, x, keys) {
  xr <- reverse.code(keys, x)
  o <- suppressWarnings(suppressMessages(omega(xr, nfactors = 1, plot = FALSE)))
  add(name, "omega.tot", "", o$omega.tot)
  for (i in seq_along(colnames(x))) add(name, "omega.loading", colnames(x)[i], o$schmid$sl[i, "g"])
  R <- cor(xr, use = "pairwise")
  ml <- factanal(covmat = R, factors = 1)
  add(name, "omegaML.tot", "", (sum(R) - sum(ml$uniquenesses)) / sum(R))
  for (i in seq_along(colnames(x))) add(name, "ml.loading", colnames(x)[i], ml$loadings[i, 1])
}
record <- function(name, x, keys, use = "pairwise") {
  write.csv(x, file.path(out, paste0(name, ".csv")), row.names = FALSE, na = "")
  a <- alpha(x, keys = keys, use = use, warnings = FALSE)
  t <- a$total
  for (s in c("raw_alpha", "std.alpha", "G6(smc)", "average_r", "S/N", "ase", "mean", "sd", "median_r")) {
    add(name, s, "", t[[s]])
  }
  add(name, "var.r", "", a$var.r)
  add(name, "duhachek.lower", "", t$raw_alpha - 1.96 * t$ase)
  add(name, "duhachek.upper", "", t$raw_alpha + 1.96 * t$ase)
  add(name, "feldt.lower", "", a$feldt$lower.ci[[1]])
  add(name, "feldt.upper", "", a$feldt$upper.ci[[1]])
  st <- a$item.stats
  items <- colnames(x)
  for (i in seq_along(items)) {
    for (s in c("n", "raw.r", "std.r", "r.cor", "r.drop", "mean", "sd")) add(name, s, items[i], st[i, s])
    d <- a$alpha.drop
    for (s in colnames(d)) add(name, paste0("drop.", s), items[i], d[i, s])
  }
  if (ncol(x) >= 3) record_omega(name, x, keys)
}

set.seed(20261129)
# 1. Six Likert items from one factor, item 3 written reversed, 5% missing at random.
n <- 300
f <- rnorm(n)
load <- c(0.8, 0.7, 0.6, 0.75, 0.5, 0.65)
x <- sapply(load, function(l) cut(l * f + sqrt(1 - l^2) * rnorm(n), c(-Inf, -1.2, -0.4, 0.4, 1.2, Inf), labels = FALSE))
x[, 3] <- 6 - x[, 3]
x[matrix(runif(length(x)) < 0.05, nrow(x))] <- NA
colnames(x) <- c("A1", "A2", "A3r", "A4", "A5", "A7")
record("likert6", x, keys = c(1, 1, -1, 1, 1, 1))

# 2. The same items with listwise deletion (psych on the complete cases).
record("likert6-complete", na.omit(x), keys = c(1, 1, -1, 1, 1, 1))

# 3. Two items (psych's special case for alpha if dropped).
record("two-items", x[complete.cases(x[, 1:2]), 1:2], keys = c(1, 1))

# 4. psych's own bfi data: Agreeableness A1-A5, A1 reverse keyed, with missing answers.
record("bfi-agreeableness", as.matrix(bfi[, 1:5]), keys = c(-1, 1, 1, 1, 1))

write.csv(do.call(rbind, rows), file.path(out, "expected.csv"), row.names = FALSE, quote = TRUE)
cat("psych", as.character(packageVersion("psych")), "GPArotation", as.character(packageVersion("GPArotation")), "\n")
