/*
 * report_plot.c - running gnuplot for `spotsim report`.
 *
 * No user string is ever interpolated into a gnuplot command: the program
 * writes TSV data files and a parameters file of quoted assignments
 * (ss_report_gp_quote), and runs a fixed template with
 *   gnuplot -d -c TEMPLATE data/CHART.params.gp CHART.png png
 * through fork/execv (no shell). -d skips ~/.gnuplot so that a user's
 * settings cannot change the charts.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim/report/report.h"

/* ---- Parameters file ----------------------------------------------------- */

static void pappend(ss_report_params *p, const char *s)
{
    size_t n = strlen(s);
    SS_GROW(p->buf, p->cap, p->len + n + 1);
    memcpy(p->buf + p->len, s, n + 1);
    p->len += n;
}

void ss_report_param_str(ss_report_params *p, const char *name, const char *value)
{
    size_t n = 2 * strlen(value ? value : "") + 8;
    char *q = ss_malloc(n);
    ss_report_gp_quote(value, q, n);
    pappend(p, name);
    pappend(p, " = ");
    pappend(p, q);
    pappend(p, "\n");
    free(q);
}

void ss_report_param_label(ss_report_params *p, const char *name, const char *value)
{
    /* gnuplot uses tic labels as printf formats: a literal % must be %% */
    size_t n = strlen(value ? value : "");
    char *d = ss_malloc(2 * n + 1), *q = d;
    for (const char *s = value ? value : ""; *s; s++) {
        if (*s == '%')
            *q++ = '%';
        *q++ = *s;
    }
    *q = '\0';
    ss_report_param_str(p, name, d);
    free(d);
}

void ss_report_param_strf(ss_report_params *p, const char *name, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    ss_report_param_str(p, name, buf);
}

void ss_report_param_num(ss_report_params *p, const char *name, double v)
{
    char buf[128];
    /* gnuplot reads NaN as the expression NaN; %.10g keeps the file stable */
    if (v != v)
        snprintf(buf, sizeof buf, "%s = NaN\n", name);
    else
        snprintf(buf, sizeof buf, "%s = %.10g\n", name, v);
    pappend(p, buf);
}

void ss_report_params_free(ss_report_params *p)
{
    free(p->buf);
    memset(p, 0, sizeof *p);
}

/* ---- Locating gnuplot and the templates ---------------------------------- */

int ss_report_find_gnuplot(const char *path_env, char *out, size_t n, ss_err *err)
{
    const char *p = path_env ? path_env : "";
    while (1) {
        const char *colon = strchr(p, ':');
        size_t len = colon ? (size_t)(colon - p) : strlen(p);
        char cand[PATH_MAX];
        if (len == 0)
            snprintf(cand, sizeof cand, "./gnuplot");
        else
            snprintf(cand, sizeof cand, "%.*s/gnuplot", (int)len, p);
        struct stat st;
        if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) && access(cand, X_OK) == 0) {
            if (strlen(cand) >= n)
                break;
            snprintf(out, n, "%s", cand);
            return 0;
        }
        if (!colon)
            break;
        p = colon + 1;
    }
    return ss_err_set(err, "gnuplot not found: install it with 'apt-get install gnuplot-nox'");
}

static int is_template_dir(const char *dir)
{
    char f[PATH_MAX + 16];
    snprintf(f, sizeof f, "%.4000s/common.gp", dir);
    return access(f, R_OK) == 0;
}

int ss_report_template_dir(char *out, size_t n, ss_err *err)
{
    char cand[4][PATH_MAX];
    int k = 0;
    const char *env = getenv("SPOTSIM_GNUPLOT_DIR");
    if (env && *env) {
        /* an explicit override must be right: do not fall back silently */
        if (!is_template_dir(env))
            return ss_err_set(err, "SPOTSIM_GNUPLOT_DIR=%s: no gnuplot templates (common.gp) there",
                              env);
        snprintf(cand[k++], PATH_MAX, "%s", env);
    }
#ifdef SPOTSIM_SOURCE_DIR
    snprintf(cand[k++], PATH_MAX, "%s/scripts/gnuplot", SPOTSIM_SOURCE_DIR);
#endif
    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len > 0) {
        exe[len] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            snprintf(cand[k++], PATH_MAX, "%.3000s/../../scripts/gnuplot", exe);
            snprintf(cand[k++], PATH_MAX, "%.3000s/../share/spotsim/gnuplot", exe);
        }
    }
    for (int i = 0; i < k; i++) {
        char real[PATH_MAX];
        if (is_template_dir(cand[i]) && realpath(cand[i], real)) {
            if (strlen(real) >= n)
                break;
            snprintf(out, n, "%s", real);
            return 0;
        }
    }
    return ss_err_set(err, "gnuplot templates not found (set SPOTSIM_GNUPLOT_DIR to the"
                           " scripts/gnuplot directory of the spotsim sources)");
}

/* ---- Files ----------------------------------------------------------------- */

void ss_report_gp_add_file(ss_report_gp *g, const char *rel)
{
    SS_GROW(g->files, g->files_cap, g->n_files + 1);
    g->files[g->n_files++] = ss_strdup(rel);
}

FILE *ss_report_data_open(ss_report_gp *g, const char *name, ss_err *err)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/data/%s", g->stage, name);
    FILE *f = fopen(path, "w");
    if (!f) {
        ss_err_set(err, "%s: cannot write: %s", path, strerror(errno));
        return NULL;
    }
    char rel[PATH_MAX];
    snprintf(rel, sizeof rel, "data/%s", name);
    ss_report_gp_add_file(g, rel);
    return f;
}

int ss_report_data_close(FILE *f, const char *name, ss_err *err)
{
    int bad = ferror(f);
    if (fclose(f) != 0 || bad)
        return ss_err_set(err, "data/%s: write failed", name);
    return 0;
}

static void add_warning(ss_report_gp *g, const char *chart, const char *fmt, const char *text)
{
    char head[256];
    snprintf(head, sizeof head, "%s.%s: ", chart, fmt);
    size_t need = g->wlen + strlen(head) + strlen(text) + 2;
    SS_GROW(g->warnings, g->wcap, need + 1);
    g->wlen += (size_t)snprintf(g->warnings + g->wlen, g->wcap - g->wlen, "%s%s%s", head, text,
                                text[0] && text[strlen(text) - 1] == '\n' ? "" : "\n");
}

/* Run gnuplot once; returns its exit status, or -1 if it could not start. */
static int run_gnuplot(ss_report_gp *g, const char *tmpl_path, const char *params_rel,
                       const char *out_rel, const char *term, const char *stderr_path)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        if (chdir(g->stage) != 0)
            _exit(126);
        int fd = open(stderr_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int nul = open("/dev/null", O_RDWR);
        if (fd < 0 || nul < 0)
            _exit(126);
        dup2(nul, 0);
        dup2(nul, 1);
        dup2(fd, 2);
        /* A fixed UTF-8 locale for gnuplot, whatever the user's: `set encoding
         * utf8` needs one (with LANG unset it warns "iconv failed"), and a
         * locale with a decimal comma would change the charts' numbers.
         * C.UTF-8 is always present in Debian's libc. Only this child's
         * environment changes. */
        setenv("LC_ALL", "C.UTF-8", 1);
        char *argv[] = {(char *)"gnuplot", (char *)"-d",        (char *)"-c",
                        (char *)tmpl_path, (char *)params_rel,  (char *)out_rel,
                        (char *)term,      NULL};
        execv(g->gnuplot, argv);
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

int ss_report_plot(ss_report_gp *g, const char *tmpl, const char *chart, const ss_report_params *p,
                   ss_err *err)
{
    char params_rel[256], path[PATH_MAX], tmpl_path[PATH_MAX], stderr_path[PATH_MAX];
    if (g->stage[0] != '/') {
        /* gnuplot runs inside the stage: a relative stage would name another
         * place from there (the child's error log, the charts) */
        char abs[PATH_MAX];
        errno = 0;
        if (!realpath(g->stage, abs) || strlen(abs) >= sizeof g->stage)
            return ss_err_set(err, "%s: cannot resolve the chart directory: %s", g->stage,
                              errno ? strerror(errno) : "path too long");
        memcpy(g->stage, abs, strlen(abs) + 1);
    }
    snprintf(params_rel, sizeof params_rel, "data/%s.params.gp", chart);
    snprintf(path, sizeof path, "%s/%s", g->stage, params_rel);
    snprintf(tmpl_path, sizeof tmpl_path, "%s/%s", g->template_dir, tmpl);
    snprintf(stderr_path, sizeof stderr_path, "%s/.gnuplot-stderr", g->stage);
    if (access(tmpl_path, R_OK) != 0)
        return ss_err_set(err, "%s: gnuplot template missing", tmpl_path);
    FILE *f = fopen(path, "w");
    if (!f)
        return ss_err_set(err, "%s: cannot write: %s", path, strerror(errno));
    fputs("# parameters of one chart, written by spotsim report\n", f);
    if (p->buf)
        fputs(p->buf, f);
    int bad = ferror(f); /* a failed fputs (full disk) shows here */
    if (fclose(f) != 0 || bad)
        return ss_err_set(err, "%s: write failed", path);
    ss_report_gp_add_file(g, params_rel);

    static const struct {
        int flag;
        const char *ext;
    } fmts[] = {{SS_REPORT_PNG, "png"}, {SS_REPORT_SVG, "svg"}};
    for (size_t i = 0; i < SS_ARRAY_LEN(fmts); i++) {
        if (!(g->formats & fmts[i].flag))
            continue;
        char out_rel[256];
        snprintf(out_rel, sizeof out_rel, "%s.%s", chart, fmts[i].ext);
        int rc = run_gnuplot(g, tmpl_path, params_rel, out_rel, fmts[i].ext, stderr_path);
        size_t elen = 0;
        char *etext = NULL;
        FILE *ef = fopen(stderr_path, "r");
        if (ef) {
            size_t cap = 0;
            char buf[4096];
            size_t r;
            while ((r = fread(buf, 1, sizeof buf, ef)) > 0) {
                SS_GROW(etext, cap, elen + r + 1);
                memcpy(etext + elen, buf, r);
                elen += r;
            }
            if (etext)
                etext[elen] = '\0';
            fclose(ef);
            unlink(stderr_path);
        }
        if (rc != 0) {
            char first[512] = "";
            if (etext) {
                snprintf(first, sizeof first, "%s", etext);
                /* the last non-empty line is gnuplot's error */
                for (size_t k = strlen(first); k > 0 && (first[k - 1] == '\n' || first[k - 1] == ' ');)
                    first[--k] = '\0';
            }
            free(etext);
            if (rc == 127 || rc == -1)
                return ss_err_set(err, "gnuplot not found: install it with 'apt-get install"
                                       " gnuplot-nox'");
            return ss_err_set(err, "%s: gnuplot failed (exit %d): %s", out_rel, rc,
                              first[0] ? first : "no message");
        }
        if (elen)
            add_warning(g, chart, fmts[i].ext, etext);
        free(etext);
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", g->stage, out_rel);
        if (stat(path, &st) != 0 || st.st_size == 0)
            return ss_err_set(err, "%s: gnuplot wrote no chart", out_rel);
        ss_report_gp_add_file(g, out_rel);
    }
    return 0;
}

void ss_report_gp_free(ss_report_gp *g)
{
    for (size_t i = 0; i < g->n_files; i++)
        free(g->files[i]);
    free(g->files);
    free(g->warnings);
    memset(g, 0, sizeof *g);
}
