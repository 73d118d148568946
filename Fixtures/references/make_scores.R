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

# Maturity levels (instrument's "thresholds" rule: the area mean against each level's minimum),
# counted per cell.
lv <- do.call(rbind, lapply(inst$levelScheme$levels, as.data.frame))
resp$level <- ifelse(is.na(resp$mean), NA, lv$label[findInterval(resp$mean, lv$minimum)])
scored <- resp[!is.na(resp$level), ]
lc <- as.data.frame(table(school = scored$school, group = scored$group, wave = scored$wave,
                          area = scored$area, level = factor(scored$level, levels = lv$label)))
lc <- lc[lc$Freq > 0, ]
lc <- lc[order(lc$school, lc$group, lc$wave, lc$area, lc$level), ]
write.csv(lc, "Fixtures/references/scores/expected-levels.csv", row.names = FALSE)

# Item distributions: share per option among valid answers, top-2-box share (the two highest
# scores after reverse keying: options 4 and 5, or 1 and 2 for a reversed item), and counts of
# "not applicable" (NA), "prefer not to say" (PNS) and skipped (empty) answers.
x$valid <- !is.na(suppressWarnings(as.numeric(x$value)))
it <- split(x, list(x$school, x$group, x$wave, x$item), drop = TRUE)
dist <- do.call(rbind, lapply(it, function(d) {
  v <- as.numeric(d$value[d$valid])
  top <- if (d$reverse[1]) v <= 2 else v >= 4
  data.frame(school = d$school[1], group = d$group[1], wave = d$wave[1], item = d$item[1],
             answered = length(v), share1 = fmt(mean(v == 1)), share3 = fmt(mean(v == 3)),
             share5 = fmt(mean(v == 5)), top2 = fmt(if (length(v)) mean(top) else NA),
             not_applicable = sum(d$value == "NA"), prefer_not_to_say = sum(d$value == "PNS"),
             skipped = sum(d$value == ""))
}))
dist <- dist[order(dist$school, dist$group, dist$wave, dist$item), ]
write.csv(dist, "Fixtures/references/scores/expected-items.csv", row.names = FALSE)

# Gaps between groups per school x wave x area (first minus second in instrument order), and
# wave-to-wave change per school x group x area with Hedges' g (J = 1 - 3/(4(n1+n2) - 9)),
# its standard error J * sqrt((n1+n2)/(n1 n2) + d^2/(2(n1+n2))) and the 95% interval g +- 1.96 SE.
a <- read.csv("Fixtures/references/scores/expected-aggregates.csv", colClasses = "character")
a$n <- as.integer(a$n); a$mean <- as.numeric(a$mean); a$sd <- as.numeric(a$sd)
a <- a[a$n > 0, ]
groups <- c("leader", "teacher", "student")
gaps <- list()
for (k in split(a, list(a$school, a$wave, a$area), drop = TRUE)) {
  for (i in 1:2) for (j in (i + 1):3) {
    p <- k[k$group == groups[i], ]; q <- k[k$group == groups[j], ]
    if (nrow(p) == 1 && nrow(q) == 1)
      gaps[[length(gaps) + 1]] <- data.frame(school = p$school, wave = p$wave, area = p$area,
        group_a = groups[i], group_b = groups[j], difference = fmt(p$mean - q$mean))
  }
}
gaps <- do.call(rbind, gaps)
write.csv(gaps, "Fixtures/references/scores/expected-gaps.csv", row.names = FALSE)
ch <- list()
for (k in split(a, list(a$school, a$group, a$area), drop = TRUE)) {
  k <- k[order(as.numeric(k$wave)), ]
  if (nrow(k) < 2) next
  for (w in 2:nrow(k)) {
    n1 <- k$n[w - 1]; n2 <- k$n[w]; m1 <- k$mean[w - 1]; m2 <- k$mean[w]
    g <- se <- NA
    if (n1 >= 2 && n2 >= 2) {
      sp <- sqrt(((n1 - 1) * k$sd[w - 1]^2 + (n2 - 1) * k$sd[w]^2) / (n1 + n2 - 2))
      if (sp > 0) {
        d <- (m2 - m1) / sp
        J <- 1 - 3 / (4 * (n1 + n2) - 9)
        g <- J * d
        se <- J * sqrt((n1 + n2) / (n1 * n2) + d^2 / (2 * (n1 + n2)))
      }
    }
    ch[[length(ch) + 1]] <- data.frame(school = k$school[1], group = k$group[1], area = k$area[1],
      from_wave = k$wave[w - 1], to_wave = k$wave[w], difference = fmt(m2 - m1), hedges_g = fmt(g),
      se = fmt(se), ci_lower = fmt(g - 1.96 * se), ci_upper = fmt(g + 1.96 * se))
  }
}
write.csv(do.call(rbind, ch), "Fixtures/references/scores/expected-changes.csv", row.names = FALSE)

# Hub comparison: a school's score is the mean of its respondents' area scores (groups
# pooled); hub and programme means are means of school scores; percentile ranks are
# 100 * (below + equal / 2) / n; growth is the change since the previous wave, relative to the
# hub's mean growth.
hubs <- unique(x[, c("school", "hub")])
sc <- aggregate(mean ~ school + wave + area, resp[!is.na(resp$mean), ], mean)
sc <- merge(sc, hubs, by = "school")
pct <- function(v, all) 100 * (sum(all < v) + 0.5 * sum(all == v)) / length(all)
sc$hub_mean <- ave(sc$mean, sc$hub, sc$area, sc$wave)
sc$programme_mean <- ave(sc$mean, sc$area, sc$wave)
sc$pct_hub <- mapply(function(v, h, a, w) pct(v, sc$mean[sc$hub == h & sc$area == a & sc$wave == w]),
                     sc$mean, sc$hub, sc$area, sc$wave)
sc$pct_programme <- mapply(function(v, a, w) pct(v, sc$mean[sc$area == a & sc$wave == w]),
                           sc$mean, sc$area, sc$wave)
sc <- sc[order(sc$school, sc$area, as.numeric(sc$wave)), ]
sc$growth <- ave(sc$mean, sc$school, sc$area, FUN = function(v) c(NA, diff(v)))
sc$hub_growth <- ave(sc$growth, sc$hub, sc$area, sc$wave, FUN = function(v) mean(v))
sc$growth_vs_hub <- sc$growth - sc$hub_growth
out <- sc[, c("school", "hub", "wave", "area", "mean", "hub_mean", "programme_mean", "pct_hub",
              "pct_programme", "growth", "growth_vs_hub")]
for (col in names(out)[5:11]) out[[col]] <- fmt(out[[col]])
write.csv(out, "Fixtures/references/scores/expected-hub-comparison.csv", row.names = FALSE)
