#ifndef LEARNINGANALYTICS_CLAPACK_SHIM_H
#define LEARNINGANALYTICS_CLAPACK_SHIM_H
#include <cblas.h>
#include <lapacke.h>
#endif
