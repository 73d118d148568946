# Clustering peers for Benchmarks/peers/cluster-vs-peers.sh; the fit call alone is timed.
#   Rscript cluster_peers.R kmeans DIR   kmeans(x, 5, nstart = 10, iter.max = 100)
#   Rscript cluster_peers.R gmm DIR      mclustBIC(x, G = 3:6, modelNames = "VVV")
suppressPackageStartupMessages(library(mclust))
args <- commandArgs(trailingOnly = TRUE)
x <- as.matrix(read.csv(file.path(args[2], "data.csv")))
set.seed(1)
if (args[1] == "kmeans") {
  t <- system.time(fit <- kmeans(x, 5, nstart = 10, iter.max = 100))[["elapsed"]]
  cat(sprintf("R %s kmeans k=5 nstart=10: %.3f s; inertia %.10g\n",
              getRversion(), t, fit$tot.withinss))
} else {
  t <- system.time(b <- mclustBIC(x, G = 3:6, modelNames = "VVV"))[["elapsed"]]
  n <- nrow(x); d <- ncol(x)
  for (g in 3:6) {
    p <- nMclustParams("VVV", d, g)
    cat(sprintf("mclust VVV k=%d: loglik %.10g\n", g, (b[as.character(g), "VVV"] + p * log(n)) / 2))
  }
  cat(sprintf("mclust %s mclustBIC VVV k=3..6 total: %.3f s\n", packageVersion("mclust"), t))
}
