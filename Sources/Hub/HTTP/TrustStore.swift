import Foundation

/// Where TLS certificates are checked against, as portable clients find it: `SSL_CERT_FILE` / `SSL_CERT_DIR` when
/// set (what `huggingface_hub`'s HTTP stack honours: a private CA, a TLS-inspecting proxy), else libcurl's built-in
/// bundle when it exists, else the first system bundle of the known layouts (Debian, Red Hat, SUSE, Alpine …) —
/// the wheel's libcurl was built with Debian's path, which a Red Hat-family system lacks.
public struct TrustStore: Sendable, Equatable {
    /// A PEM bundle (`CURLOPT_CAINFO`), nil to keep libcurl's default.
    public var bundle: String?
    /// A folder of hashed certificates (`CURLOPT_CAPATH`), nil to keep libcurl's default.
    public var folder: String?
    /// Where the choice came from, for `%hf_env` and error messages.
    public var origin: String

    /// System CA bundles in the order Go's `crypto/x509` and other portable clients look for them.
    public static let knownBundles = [
        "/etc/ssl/certs/ca-certificates.crt",                // Debian, Ubuntu, Gentoo, Arch
        "/etc/pki/tls/certs/ca-bundle.crt",                  // Fedora, RHEL, CentOS, Amazon Linux
        "/etc/ssl/certs/ca-bundle.crt",                      // Red Hat-family symlink
        "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", // RHEL 7+, Fedora (the extracted store)
        "/etc/ssl/ca-bundle.pem",                            // openSUSE
        "/etc/pki/tls/cacert.pem",                           // OpenELEC
        "/etc/ssl/cert.pem",                                 // Alpine, macOS-like layouts
    ]
    /// Folders of hashed certificates, when no bundle file exists.
    public static let knownFolders = ["/etc/ssl/certs", "/etc/pki/tls/certs"]

    /// The store for this environment; `builtInBundle` is libcurl's compiled-in default (nil if unknown).
    public static func resolve(environment: [String: String], builtInBundle: String?,
                               exists: (String) -> Bool = { FileManager.default.fileExists(atPath: $0) }) -> TrustStore {
        let file = environment["SSL_CERT_FILE"].flatMap { $0.isEmpty ? nil : $0 }
        let dir = environment["SSL_CERT_DIR"].flatMap { $0.isEmpty ? nil : $0.split(separator: ":").first.map(String.init) }
        if file != nil || dir != nil {
            let origin = [file.map { "SSL_CERT_FILE=\($0)" }, dir.map { "SSL_CERT_DIR=\($0)" }].compactMap { $0 }.joined(separator: ", ")
            return TrustStore(bundle: file, folder: dir, origin: origin)
        }
        if let builtInBundle, exists(builtInBundle) { return TrustStore(bundle: nil, folder: nil, origin: builtInBundle) }
        if let found = knownBundles.first(where: exists) { return TrustStore(bundle: found, folder: nil, origin: found) }
        if let found = knownFolders.first(where: exists) { return TrustStore(bundle: nil, folder: found, origin: found) }
        return TrustStore(bundle: nil, folder: nil, origin: "none found (looked for \(knownBundles.joined(separator: ", ")))")
    }
}
