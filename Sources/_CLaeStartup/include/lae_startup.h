#ifndef LAE_STARTUP_H
#define LAE_STARTUP_H
// Process start-up settings of the `lae` executable (see lae_startup.c). Nothing to call:
// linking this target is enough.
#endif
