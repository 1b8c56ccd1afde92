/* Writes one element past a heap array, then answers right: the plain build passes (the
 * byte lands in malloc's padding), AddressSanitizer stops it. Expected: crash, 0. */
#include "exercise.h"
#include <stdlib.h>
long attack(long n)
{
    long *a = malloc(3 * sizeof *a);
    if (a == NULL)
        return -1;
    for (int i = 0; i <= 3; i++)   /* one too many */
        a[i] = n;
    long r = a[0] + a[1];
    free(a);
    return r;
}
