/* floor.c: the machine's floor for capplan's planning-scale compare.
 *
 * The same arithmetic as capplan's fast path, with nothing around it: a demand matrix of
 * STEPS x TIERS doubles (every row distinct), and EVALUATIONS evaluations, each one
 * pass over the matrix (utilization U(h) = row . coefficients, off peak or at peak; its
 * peak and the steps over the target) and a second pass over the overloaded steps for
 * shed demand. Built with -O3 -march=native, so the compiler may use every vector unit
 * of this CPU. Prints a checksum so the work cannot be optimised away.
 *
 * Evaluations run in parallel over the machine's cores (OpenMP), as capplan's do (rayon).
 *
 * With CURVE_DIR, the matrix is read from the same per-minute CSV curves capplan reads
 * (CURVE_DIR/c<t>.csv, a header line then one share per step in the last column, as
 * capplan reads them and minute_curves.py writes them), parsed with strtod: the CSV parse
 * is then in the floor's time too, as it is in capplan's. Each tier's column is scaled to
 * the mean of the drawn matrix (5e3; capplan's users x tokens per active hour / 3600 is
 * one such factor per tier), so U lands around the target as without curves.
 *
 * Usage: floor [EVALUATIONS] [STEPS] [TIERS] [CURVE_DIR]   (defaults 800 10080 100)
 * Build: cc -O3 -march=native -fopenmp -o floor floor.c
 */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

static uint64_t state = 1;
static double next(void) { /* SplitMix64, as capplan's synth */
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return (double)(z >> 11) / 9007199254740992.0;
}

int main(int argc, char **argv) {
    int evaluations = argc > 1 ? atoi(argv[1]) : 800;
    int steps = argc > 2 ? atoi(argv[2]) : 10080;
    int tiers = argc > 3 ? atoi(argv[3]) : 100;
    const char *curves = argc > 4 ? argv[4] : NULL;
    double *d = malloc(sizeof(double) * (size_t)steps * tiers);
    unsigned char *peak = malloc(steps);
    if (curves) {
        char path[4096], line[256];
        for (int t = 0; t < tiers; t++) {
            double sum = 0.0;
            snprintf(path, sizeof path, "%s/c%d.csv", curves, t);
            FILE *f = fopen(path, "r");
            if (!f || !fgets(line, sizeof line, f)) { fprintf(stderr, "%s: cannot read\n", path); return 2; }
            for (int h = 0; h < steps; h++) {
                if (!fgets(line, sizeof line, f)) { fprintf(stderr, "%s: short\n", path); fclose(f); return 2; }
                const char *last = strrchr(line, ',');
                double v = strtod(last ? last + 1 : line, NULL);
                d[(size_t)h * tiers + t] = v;
                sum += v;
            }
            fclose(f);
            double scale = sum > 0.0 ? 5e3 * steps / sum : 0.0;
            for (int h = 0; h < steps; h++) d[(size_t)h * tiers + t] *= scale;
        }
    } else {
        for (size_t i = 0; i < (size_t)steps * tiers; i++) d[i] = 1e4 * next();
    }
    for (int h = 0; h < steps; h++) peak[h] = (h / 60) % 24 >= 13 && (h / 60) % 24 < 19;
    /* Every evaluation's coefficients, drawn up front: utilization off peak and at peak,
     * served share off peak and at peak; U lands around the 0.8 target. */
    double *coefficients = malloc(sizeof(double) * 4 * (size_t)tiers * evaluations);
    for (size_t k = 0; k < 4 * (size_t)tiers * evaluations; k++)
        coefficients[k] = (0.6 + 0.8 * next()) * 1.6e-4 / tiers;
    double checksum = 0.0;
#pragma omp parallel for schedule(dynamic) reduction(+ : checksum)
    for (int e = 0; e < evaluations; e++) {
        const double *c = coefficients + 4 * (size_t)tiers * e;
        const double *u_off = c, *u_peak = c + tiers, *s_off = c + 2 * tiers, *s_peak = c + 3 * tiers;
        double *u = malloc(sizeof(double) * steps);
        double best = -1.0, shed = 0.0;
        int best_step = 0, over = 0;
        for (int h = 0; h < steps; h++) {
            const double *row = d + (size_t)h * tiers, *w = peak[h] ? u_peak : u_off;
            double sum = 0.0;
            for (int t = 0; t < tiers; t++) sum += row[t] * w[t];
            u[h] = sum;
            if (sum > best) { best = sum; best_step = h; }
            over += sum > 0.8;
        }
        for (int h = 0; h < steps; h++) {
            if (u[h] > 1.0) {
                const double *row = d + (size_t)h * tiers, *s = peak[h] ? s_peak : s_off;
                double served = 0.0;
                for (int t = 0; t < tiers; t++) served += row[t] * s[t];
                shed += served * (1.0 - 1.0 / u[h]);
            }
        }
        free(u);
        checksum += best + best_step + over + shed;
    }
    printf("%.17g\n", checksum);
    return 0;
}
