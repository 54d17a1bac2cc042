#ifndef HUBKERNEL_CCURL_H
#define HUBKERNEL_CCURL_H
// libcurl, loaded on first use (dlopen) instead of at process start: libcurl and the ~30 libraries it
// pulls in cost the kernel ~6 ms before it could bind its sockets, and only downloads need them.
// curl.h provides the types and constants; every function goes through CurlLoader.c.
#include <curl/curl.h>

/// Loads libcurl (once, thread-safe) and runs curl_global_init. Returns NULL when it is ready,
/// else why it is not (static text). Call before any other hk_curl_ function.
const char *hk_curl_load(void);

CURL *hk_curl_easy_init(void);
void hk_curl_easy_cleanup(CURL *handle);
void hk_curl_easy_reset(CURL *handle);
CURLcode hk_curl_easy_perform(CURL *handle);
const char *hk_curl_easy_strerror(CURLcode code);
struct curl_slist *hk_curl_slist_append(struct curl_slist *list, const char *text);
void hk_curl_slist_free_all(struct curl_slist *list);
/// curl_version(): "libcurl/7.88.1 OpenSSL/3.0.11 …", or why libcurl is not loaded.
const char *hk_curl_version(void);
/// curl_version_info()->version: "7.88.1", or "unavailable".
const char *hk_curl_version_number(void);

// curl_easy_setopt/getinfo are variadic, which Swift cannot call: one typed wrapper per argument kind.
typedef size_t (*hk_curl_data_cb)(char *, size_t, size_t, void *);
typedef int (*hk_curl_xferinfo_cb)(void *, curl_off_t, curl_off_t, curl_off_t, curl_off_t);
CURLcode hk_curl_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode hk_curl_setopt_off(CURL *handle, CURLoption option, curl_off_t value);
CURLcode hk_curl_setopt_str(CURL *handle, CURLoption option, const char *value);
CURLcode hk_curl_setopt_ptr(CURL *handle, CURLoption option, void *value);
CURLcode hk_curl_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value);
CURLcode hk_curl_setopt_data_cb(CURL *handle, CURLoption option, hk_curl_data_cb value);
CURLcode hk_curl_setopt_xferinfo_cb(CURL *handle, hk_curl_xferinfo_cb value);
CURLcode hk_curl_getinfo_long(CURL *handle, CURLINFO info, long *value);
CURLcode hk_curl_getinfo_off(CURL *handle, CURLINFO info, curl_off_t *value);
CURLcode hk_curl_getinfo_str(CURL *handle, CURLINFO info, char **value);

#endif
