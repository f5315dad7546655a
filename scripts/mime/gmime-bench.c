/*
 * gmime-bench: the reference run for mime-bench. Parses every message in the given
 * directories with GMime 3 and decodes every leaf part (message/rfc822 descended into),
 * exactly the work `mime-bench parse` does, and prints one line of figures:
 *   files=N bytes=N decoded=N parts=N seconds=F maxrss_kb=N
 * Messages are read through a memory map (as MessageBytes(mappingFile:) does), the parser
 * keeps the stream (GMime's fastest mode: bodies are not copied), and decoded content is
 * written to a null stream so no allocation of ours is timed.
 *
 * Build: cc -O2 gmime-bench.c $(pkg-config --cflags --libs gmime-3.0) -o gmime-bench
 */
#include <dirent.h>
#include <fcntl.h>
#include <gmime/gmime.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct totals {
    unsigned long files, parts;
    unsigned long long bytes, decoded;
};

/* Decodes every leaf below `object`; recursion depth is bounded by GMime's own parser. */
static void walk(GMimeObject *object, struct totals *t)
{
    if (GMIME_IS_MULTIPART(object)) {
        GMimeMultipart *multipart = GMIME_MULTIPART(object);
        int count = g_mime_multipart_get_count(multipart);
        for (int i = 0; i < count; i++)
            walk(g_mime_multipart_get_part(multipart, i), t);
    } else if (GMIME_IS_MESSAGE_PART(object)) {
        GMimeMessage *inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(object));
        if (inner != NULL && g_mime_message_get_mime_part(inner) != NULL)
            walk(g_mime_message_get_mime_part(inner), t);
    } else if (GMIME_IS_PART(object)) {
        GMimeDataWrapper *content = g_mime_part_get_content(GMIME_PART(object));
        t->parts++;
        if (content == NULL)
            return;
        GMimeStream *sink = g_mime_stream_null_new();
        g_mime_data_wrapper_write_to_stream(content, sink);
        t->decoded += GMIME_STREAM_NULL(sink)->written;
        g_object_unref(sink);
    }
}

static void parse_file(const char *path, struct totals *t)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        perror(path);
        return;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || st.st_size == 0) {
        close(fd);
        return;
    }
    GMimeStream *stream = g_mime_stream_mmap_new(fd, PROT_READ, MAP_PRIVATE);
    if (stream == NULL) {
        close(fd);
        return;
    }
    GMimeParser *parser = g_mime_parser_new_with_stream(stream);
    GMimeMessage *message = g_mime_parser_construct_message(parser, NULL);
    if (message != NULL) {
        GMimeObject *root = g_mime_message_get_mime_part(message);
        if (root != NULL)
            walk(root, t);
        g_object_unref(message);
    }
    g_object_unref(parser);
    g_object_unref(stream); /* owns fd: closes it */
    t->files++;
    t->bytes += (unsigned long long)st.st_size;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void parse_dir(const char *dir, struct totals *t)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        perror(dir);
        exit(66);
    }
    size_t n = 0, cap = 256;
    char **names = malloc(cap * sizeof *names);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap)
            names = realloc(names, (cap *= 2) * sizeof *names);
        names[n++] = g_strdup_printf("%s/%s", dir, e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, by_name);
    for (size_t i = 0; i < n; i++) {
        parse_file(names[i], t);
        g_free(names[i]);
    }
    free(names);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: gmime-bench DIR...\n");
        return 64;
    }
    g_mime_init();
    struct totals t = {0};
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (int i = 1; i < argc; i++)
        parse_dir(argv[i], &t);
    clock_gettime(CLOCK_MONOTONIC, &end);
    double seconds = (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9;
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    printf("files=%lu bytes=%llu decoded=%llu parts=%lu seconds=%.6f maxrss_kb=%ld\n",
           t.files, t.bytes, t.decoded, t.parts, seconds, usage.ru_maxrss);
    g_mime_shutdown();
    return 0;
}
