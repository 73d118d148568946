# Reference values for Scoring's AreaScorer and ScoreAggregation, computed independently in R.
# Data: Fixtures/references/scores/responses.csv, made by
#   lae simulate --schools 4 --hubs 2 --teachers 6 --students 8 --waves 2 --seed 77 --out DIR
# Run from the repository root:  Rscript Fixtures/references/make_scores.R
suppressPackageStartupMessages(library(jsonlite))
inst <- fromJSON("Fixtures/instruments/school-self-reflection.json", simplifyVector = FALSE)
items <- do.call(rbind, lapply(inst$items, function(i) data.frame(
  item = i$code, area = i$area, reverse = isTRUE(i$reverse),
  n_leader = "leader" %in% unlist(i$groups), n_teacher = "teacher" %in% unlist(i$groups),
  n_student = "student" %in% unlist(i$groups))))
x <- read.csv("Fixtures/references/scores/responses.csv", colClasses = "character", na.strings = character())
x$score <- suppressWarnings(as.numeric(x$value))          # NA, PNS, empty -> NA
x <- merge(x, items, by = "item")
x$score <- ifelse(x$reverse, 1 + 5 - x$score, x$score)
# Respondent area scores: mean of valid scores when at least half (rounded up) of the area's
# items meant for the respondent's group are valid.
asked <- aggregate(cbind(leader = n_leader, teacher = n_teacher, student = n_student) ~ area, items, sum)
key <- c("school", "wave", "respondent", "group", "area")
resp <- aggregate(score ~ school + wave + respondent + group + area, x, function(s) c(sum = sum(s), n = length(s)),
                  na.action = na.omit)
resp <- data.frame(resp[, key], sum = resp$score[, "sum"], n = resp$score[, "n"])
resp$asked <- mapply(function(a, g) asked[asked$area == a, g], resp$area, resp$group)
resp$mean <- ifelse(resp$n >= pmax(1, ceiling(resp$asked / 2)), resp$sum / resp$n, NA)
# Aggregates per school x group x wave x area.
cells <- split(resp, list(resp$school, resp$group, resp$wave, resp$area), drop = TRUE)
out <- do.call(rbind, lapply(cells, function(d) {
  m <- d$mean[!is.na(d$mean)]
  n <- length(m)
  se <- if (n >= 2) sd(m) / sqrt(n) else NA
  t <- if (n >= 2) qt(0.975, n - 1) else NA
  data.frame(school = d$school[1], group = d$group[1], wave = d$wave[1], area = d$area[1], n = n,
             mean = if (n > 0) mean(m) else NA, sd = if (n >= 2) sd(m) else NA, se = se,
             ci_lower = if (n >= 2) mean(m) - t * se else NA, ci_upper = if (n >= 2) mean(m) + t * se else NA,
             mean_of_all_answers = sum(d$sum) / sum(d$n), answer_count = sum(d$n))
}))
out <- out[order(out$school, out$group, out$wave, out$area), ]
fmt <- function(v) ifelse(is.na(v), "", sprintf("%.17g", v))
for (col in c("mean", "sd", "se", "ci_lower", "ci_upper", "mean_of_all_answers")) out[[col]] <- fmt(out[[col]])
write.csv(out, "Fixtures/references/scores/expected-aggregates.csv", row.names = FALSE)
r <- resp[order(resp$school, resp$wave, resp$respondent, resp$area), c(key, "mean")]
r$mean <- fmt(r$mean)
write.csv(r, "Fixtures/references/scores/expected-respondents.csv", row.names = FALSE)
