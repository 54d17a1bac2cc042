import CCurl
import COpenSSL

/// Versions of the C libraries the engine is linked with, for `%hf_env` and bug reports.
public enum LibraryVersions {
    /// `curl_version()`: "libcurl/7.88.1 OpenSSL/3.0.11 zlib/1.2.13 …" (loads libcurl), or why it cannot be loaded.
    public static var curl: String { String(cString: hk_curl_version()) }
    /// `OpenSSL_version(OPENSSL_VERSION)`: "OpenSSL 3.0.11 19 Sep 2023".
    public static var openSSL: String { String(cString: OpenSSL_version(OPENSSL_VERSION)) }
}
