# Reference values for Kenward-Roger inference on LinearMixedModel fits (--df kenward-roger):
# lmerTest's summary(ddf = "Kenward-Roger") and anova(type = 3, ddf = "Kenward-Roger"), which
# call pbkrtest (vcovAdj for the adjusted covariance, Lb_ddf for the df, KRmodcomp for the
# scaled F tests). REML fits only, as lmerTest.
# Run from the repository root:  Rscript Fixtures/references/make_kenward_roger.R
# Reads Fixtures/references/growth/*.csv; writes Fixtures/references/inference/kenward-roger.csv
# (model,formula,criterion,quantity,name,value; %.17g).
suppressPackageStartupMessages({ library(lme4); library(lmerTest); library(pbkrtest) })
invisible(Sys.setlocale("LC_COLLATE", "C"))
src <- "Fixtures/references/growth"
out <- "Fixtures/references/inference"
rows <- list()
add <- function(model, formula, quantity, name, value) {
  rows[[length(rows) + 1]] <<- data.frame(model = model, formula = formula, criterion = "REML",
    quantity = quantity, name = name, value = sprintf("%.17g", value))
}
record <- function(model, formula, data) {
  fit <- lmerTest::lmer(as.formula(formula), data = data, REML = TRUE)
  a <- function(q, n, v) add(model, formula, q, n, v)
  cf <- summary(fit, ddf = "Kenward-Roger")$coefficients
  for (t in rownames(cf)) {
    a("estimate", t, cf[t, "Estimate"]); a("stdError", t, cf[t, "Std. Error"])
    a("df", t, cf[t, "df"]); a("tValue", t, cf[t, "t value"]); a("pValue", t, cf[t, "Pr(>|t|)"])
  }
  av <- anova(fit, type = 3, ddf = "Kenward-Roger")
  for (t in rownames(av)) {
    a("numDF", t, av[t, "NumDF"]); a("denDF", t, av[t, "DenDF"])
    a("fValue", t, av[t, "F value"]); a("fPValue", t, av[t, "Pr(>F)"])
  }
  cat(model, "\n")
}
sleep <- read.csv(file.path(src, "sleepstudy.csv"))
dye <- read.csv(file.path(src, "dyestuff.csv"))
d <- read.csv(file.path(src, "teachers.csv"))
d$sector <- factor(d$sector)
record("sleep-slope-reml", "Reaction ~ Days + (Days | Subject)", sleep)
record("sleep-diag-reml", "Reaction ~ Days + (Days || Subject)", sleep)
record("dyestuff-reml", "Yield ~ 1 + (1 | Batch)", dye)
record("nested-reml", "score ~ wave + sector + (1 | school/teacher)", d)
record("nested-slope-reml", "score ~ wave * sector + (wave | school) + (1 | school:teacher)", d)
write.csv(do.call(rbind, rows), file.path(out, "kenward-roger.csv"), row.names = FALSE, quote = TRUE)
cat("lmerTest", as.character(packageVersion("lmerTest")), "pbkrtest",
    as.character(packageVersion("pbkrtest")), "\n")
