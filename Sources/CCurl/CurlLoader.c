// Loads libcurl with dlopen on first use and calls it through pointers found with dlsym.
//
// Where libcurl comes from, in order:
//   1. libhubkernel-curl.so: in the wheel, an empty library whose only job is to need libcurl, so that
//      auditwheel vendors libcurl and its dependencies next to it; found through the binary's RUNPATH
//      ($ORIGIN/../lib/hubkernel), it brings the vendored libcurl with it.
//   2. libcurl.so.4 from the system (a build from source: Debian's libcurl4).
//
// curl_easy_setopt and curl_easy_getinfo are variadic: each wrapper casts the looked-up pointer to the
// variadic prototype from curl.h, so the compiler passes arguments exactly as for a direct call on every ABI.
#include "CCurl.h"
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static const char *const library_names[] = {"libhubkernel-curl.so", "libcurl.so.4"};

static struct {
    CURLcode (*global_init)(long);
    CURL *(*easy_init)(void);
    void (*easy_cleanup)(CURL *);
    void (*easy_reset)(CURL *);
    CURLcode (*easy_perform)(CURL *);
    const char *(*easy_strerror)(CURLcode);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
    char *(*version)(void);
    curl_version_info_data *(*version_info)(CURLversion);
} curl;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static const char *load_error = "libcurl was not loaded";
static char load_error_text[768];

#define LOOK_UP(field, symbol)                                                                      \
    if (!(*(void **)&curl.field = dlsym(handle, symbol))) {                                         \
        snprintf(load_error_text, sizeof load_error_text, "%s lacks %s", library, symbol);          \
        return;                                                                                     \
    }

static void load(void) {
    void *handle = NULL;
    const char *library = NULL;
    char reasons[512] = "";
    for (size_t i = 0; i < sizeof library_names / sizeof *library_names && !handle; i++) {
        library = library_names[i];
        handle = dlopen(library, RTLD_NOW | RTLD_LOCAL);
        if (!handle) {
            const char *reason = dlerror();
            size_t used = strlen(reasons);
            snprintf(reasons + used, sizeof reasons - used, "%s%s", used ? "; " : "", reason ? reason : library);
        }
    }
    load_error = load_error_text;
    if (!handle) {
        snprintf(load_error_text, sizeof load_error_text,
                 "libcurl could not be loaded (%s): install libcurl4 (Debian: apt-get install libcurl4), "
                 "or install HubKernel from its wheel, which carries libcurl", reasons);
        return;
    }
    LOOK_UP(global_init, "curl_global_init")
    LOOK_UP(easy_init, "curl_easy_init")
    LOOK_UP(easy_cleanup, "curl_easy_cleanup")
    LOOK_UP(easy_reset, "curl_easy_reset")
    LOOK_UP(easy_perform, "curl_easy_perform")
    LOOK_UP(easy_strerror, "curl_easy_strerror")
    LOOK_UP(easy_setopt, "curl_easy_setopt")
    LOOK_UP(easy_getinfo, "curl_easy_getinfo")
    LOOK_UP(slist_append, "curl_slist_append")
    LOOK_UP(slist_free_all, "curl_slist_free_all")
    LOOK_UP(version, "curl_version")
    LOOK_UP(version_info, "curl_version_info")
    // curl_global_init is not thread-safe; pthread_once runs it exactly once, before the first handle.
    CURLcode code = curl.global_init(CURL_GLOBAL_DEFAULT);
    if (code != CURLE_OK) {
        snprintf(load_error_text, sizeof load_error_text, "curl_global_init failed (curl %d)", (int)code);
        return;
    }
    load_error = NULL;
}

const char *hk_curl_load(void) {
    pthread_once(&load_once, load);
    return load_error;
}

CURL *hk_curl_easy_init(void) { return curl.easy_init(); }
void hk_curl_easy_cleanup(CURL *handle) { curl.easy_cleanup(handle); }
void hk_curl_easy_reset(CURL *handle) { curl.easy_reset(handle); }
CURLcode hk_curl_easy_perform(CURL *handle) { return curl.easy_perform(handle); }
const char *hk_curl_easy_strerror(CURLcode code) { return curl.easy_strerror(code); }
struct curl_slist *hk_curl_slist_append(struct curl_slist *list, const char *text) { return curl.slist_append(list, text); }
void hk_curl_slist_free_all(struct curl_slist *list) { curl.slist_free_all(list); }

const char *hk_curl_version(void) {
    const char *problem = hk_curl_load();
    return problem ? problem : curl.version();
}

const char *hk_curl_version_number(void) {
    return hk_curl_load() ? "unavailable" : curl.version_info(CURLVERSION_NOW)->version;
}

CURLcode hk_curl_setopt_long(CURL *h, CURLoption o, long v) { return curl.easy_setopt(h, o, v); }
CURLcode hk_curl_setopt_off(CURL *h, CURLoption o, curl_off_t v) { return curl.easy_setopt(h, o, v); }
CURLcode hk_curl_setopt_str(CURL *h, CURLoption o, const char *v) { return curl.easy_setopt(h, o, v); }
CURLcode hk_curl_setopt_ptr(CURL *h, CURLoption o, void *v) { return curl.easy_setopt(h, o, v); }
CURLcode hk_curl_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl.easy_setopt(h, o, v); }
CURLcode hk_curl_setopt_data_cb(CURL *h, CURLoption o, hk_curl_data_cb v) { return curl.easy_setopt(h, o, v); }
CURLcode hk_curl_setopt_xferinfo_cb(CURL *h, hk_curl_xferinfo_cb v) { return curl.easy_setopt(h, CURLOPT_XFERINFOFUNCTION, v); }
CURLcode hk_curl_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl.easy_getinfo(h, i, v); }
CURLcode hk_curl_getinfo_off(CURL *h, CURLINFO i, curl_off_t *v) { return curl.easy_getinfo(h, i, v); }
CURLcode hk_curl_getinfo_str(CURL *h, CURLINFO i, char **v) { return curl.easy_getinfo(h, i, v); }
