#ifndef LEARNINGANALYTICS_BENCH_CRAWBLAS_H
#define LEARNINGANALYTICS_BENCH_CRAWBLAS_H
#include <cblas.h>
#include <lapacke.h>
#endif
