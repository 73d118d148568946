# Reference values for the Clustering module, from R's stats::kmeans, stats::hclust,
# cluster::silhouette and mclust.
# Run from the repository root:  Rscript Fixtures/references/make_clustering.R
# Writes Fixtures/references/clustering/:
#   blobs.csv, iris.csv, faithful.csv       the data (blobs simulated below; iris and faithful
#                                           are R's datasets)
#   kmeans.csv      dataset,k,tot_withinss            (kmeans, Hartigan-Wong, nstart = 100)
#   kmeans-labels.csv dataset,k,row,label
#   mclust-bic.csv  dataset,model,G,bic,icl            (mclustBIC/mclustICL defaults, all 14 models; empty = NA)
#   mclust-hc.csv   dataset,G,row,class                (hclass(hc(X, "VVV", use = "SVD"), G))
#   mclust-best.csv dataset,model,G,loglik,df,bic,icl  (Mclust best model)
#   hclust.csv      dataset,linkage,step,height        (hclust on Euclidean distances)
#   hclust-labels.csv dataset,linkage,k,row,label      (cutree)
#   silhouette.csv  dataset,k,row,width                (cluster::silhouette of the ward.D2 cut)
# Numbers are written with %.17g.
suppressPackageStartupMessages({ library(mclust); library(cluster) })
out <- "Fixtures/references/clustering"
dir.create(out, showWarnings = FALSE, recursive = TRUE)
f17 <- function(v) ifelse(is.na(v), "", sprintf("%.17g", v))

set.seed(20261130)
# Four profiles of school maturity on three indicators, unequal spreads and sizes.
centres <- rbind(c(1.5, 1.8, 1.6), c(2.4, 2.9, 2.2), c(3.3, 3.1, 3.6), c(4.2, 4.0, 3.9))
sizes <- c(60, 90, 80, 70)
sds <- c(0.25, 0.30, 0.20, 0.28)
blobs <- do.call(rbind, lapply(1:4, function(g)
  sweep(matrix(rnorm(sizes[g] * 3, sd = sds[g]), ncol = 3), 2, centres[g, ], "+")))
blobs <- round(blobs, 4)
colnames(blobs) <- c("digital_leadership", "teacher_practice", "infrastructure")
write.csv(blobs, file.path(out, "blobs.csv"), row.names = FALSE)
irisx <- as.matrix(iris[, 1:4])
colnames(irisx) <- c("sepal_length", "sepal_width", "petal_length", "petal_width")
write.csv(irisx, file.path(out, "iris.csv"), row.names = FALSE)
faith <- as.matrix(faithful)
write.csv(faith, file.path(out, "faithful.csv"), row.names = FALSE)
data <- list(blobs = blobs, iris = irisx, faithful = faith)

# k-means
km <- NULL; kml <- NULL
for (name in names(data)) for (k in 2:6) {
  set.seed(1)
  fit <- kmeans(data[[name]], centers = k, nstart = 100, iter.max = 100)
  km <- rbind(km, data.frame(dataset = name, k = k, tot_withinss = f17(fit$tot.withinss)))
  kml <- rbind(kml, data.frame(dataset = name, k = k, row = seq_along(fit$cluster), label = fit$cluster))
}
write.csv(km, file.path(out, "kmeans.csv"), row.names = FALSE, quote = FALSE)
write.csv(kml, file.path(out, "kmeans-labels.csv"), row.names = FALSE, quote = FALSE)

# mclust
models <- c("EII", "VII", "EEI", "VEI", "EVI", "VVI", "EEE", "VVV", "EEV", "EVV", "VEE", "EVE", "VVE",
            "VEV")
mb <- NULL; mh <- NULL; best <- NULL
for (name in names(data)) {
  x <- data[[name]]
  b <- mclustBIC(x, G = 1:6, modelNames = models)
  ic <- mclustICL(x, G = 1:6, modelNames = models)
  for (m in models) for (g in 1:6) {
    mb <- rbind(mb, data.frame(dataset = name, model = m, G = g,
                               bic = f17(b[as.character(g), m]), icl = f17(ic[as.character(g), m])))
  }
  hcp <- hc(x, modelName = "VVV", use = "SVD")
  cl <- hclass(hcp, 2:6)
  for (g in 2:6) mh <- rbind(mh, data.frame(dataset = name, G = g, row = seq_len(nrow(x)),
                                            class = cl[, as.character(g)]))
  fit <- Mclust(x, G = 1:6, modelNames = models, x = b)
  best <- rbind(best, data.frame(dataset = name, model = fit$modelName, G = fit$G,
                                 loglik = f17(fit$loglik), df = fit$df, bic = f17(fit$bic),
                                 icl = f17(icl(fit))))
}
write.csv(mb, file.path(out, "mclust-bic.csv"), row.names = FALSE, quote = FALSE)
write.csv(mh, file.path(out, "mclust-hc.csv"), row.names = FALSE, quote = FALSE)
write.csv(best, file.path(out, "mclust-best.csv"), row.names = FALSE, quote = FALSE)

# hierarchical clustering and silhouette
hh <- NULL; hl <- NULL; sil <- NULL
for (name in c("blobs", "iris")) {
  x <- data[[name]]
  d <- dist(x)
  for (linkage in c("ward.D2", "complete", "average")) {
    h <- hclust(d, method = linkage)
    hh <- rbind(hh, data.frame(dataset = name, linkage = linkage, step = seq_along(h$height),
                               height = f17(h$height)))
    for (k in 2:6) {
      lab <- cutree(h, k = k)
      hl <- rbind(hl, data.frame(dataset = name, linkage = linkage, k = k, row = seq_along(lab),
                                 label = lab))
      if (linkage == "ward.D2") {
        s <- silhouette(lab, d)
        sil <- rbind(sil, data.frame(dataset = name, k = k, row = seq_along(lab),
                                     width = f17(s[, "sil_width"])))
      }
    }
  }
}
write.csv(hh, file.path(out, "hclust.csv"), row.names = FALSE, quote = FALSE)
write.csv(hl, file.path(out, "hclust-labels.csv"), row.names = FALSE, quote = FALSE)
write.csv(sil, file.path(out, "silhouette.csv"), row.names = FALSE, quote = FALSE)
cat("R", R.version$major, R.version$minor, "mclust", as.character(packageVersion("mclust")),
    "cluster", as.character(packageVersion("cluster")), "\n")
