# psych::alpha on the same data, timed after loading. Usage: Rscript reliability_psych.R DIR
suppressPackageStartupMessages(library(psych))
args <- commandArgs(trailingOnly = TRUE)
d <- args[1]
keys <- read.csv(file.path(d, "keys.csv"))
x <- as.matrix(read.csv(file.path(d, "items.csv")))
t <- system.time({
  res <- lapply(split(keys, factor(keys$scale, levels = unique(keys$scale))), function(k) {
    alpha(x[, k$item], keys = k$key, warnings = FALSE)
  })
})[["elapsed"]]
cat(sprintf("psych %s alpha (8 areas): %.3f s; first alpha %.6f\n", packageVersion("psych"), t,
            res[[1]]$total$raw_alpha))
