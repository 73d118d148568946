// Start-up settings of the `lae` executable, applied before any constructor runs.
//
// OpenBLAS is linked statically, and its constructor starts one worker thread per core unless
// OPENBLAS_NUM_THREADS says otherwise. `lae` runs BLAS on one thread unless --blas-threads N
// asks for more (openblas_set_num_threads then starts them), so the idle workers only spun
// and yielded: a 30 ms growth fit took 60 ms of CPU and twice the time. A function in the
// executable's .preinit_array runs before every constructor (OpenBLAS's included), so the
// variable's default of 1 is in place when OpenBLAS reads it. A value set by the caller is
// kept.
#include <stdlib.h>

static void lae_single_blas_thread(int argc, char **argv, char **envp) {
  (void)argc;
  (void)argv;
  (void)envp;
  setenv("OPENBLAS_NUM_THREADS", "1", 0);
}

__attribute__((section(".preinit_array"), used))
static void (*lae_preinit)(int, char **, char **) = lae_single_blas_thread;
