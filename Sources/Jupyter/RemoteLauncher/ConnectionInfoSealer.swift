import COpenSSL
import Foundation

/// Seals a launcher's connection info for the server that asked for it (remote-kernel launcher protocol version 1,
/// as gateway_provisioners' `server_listener.py`): the JSON encrypted with a fresh AES-128 key (ECB, PKCS#7
/// padding), that key encrypted to the server's RSA public key (PKCS#1 v1.5), both in a base64 JSON envelope
/// `{"version": 1, "key": …, "conn_info": …}`, itself base64-encoded. Only the server can read the kernel's ports
/// and signing key.
enum ConnectionInfoSealer {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func seal(_ plaintext: [UInt8], publicKey: String) throws -> String {
        guard let der = Data(base64Encoded: publicKey) else {
            throw Failure(description: "--public-key is not base64 (it must be the server's RSA public key, a PEM body)")
        }
        var aesKey = [UInt8](repeating: 0, count: 16)
        guard RAND_bytes(&aesKey, Int32(aesKey.count)) == 1 else { throw Failure(description: "no random bytes for the AES key") }
        let sealedInfo = try encryptAES128ECB(plaintext, key: aesKey)
        let sealedKey = try encryptRSA(aesKey, publicKeyDER: [UInt8](der))
        let envelope: JSONValue = ["version": 1, "key": .string(Data(sealedKey).base64EncodedString()),
                                   "conn_info": .string(Data(sealedInfo).base64EncodedString())]
        return Data(envelope.serialized()).base64EncodedString()
    }

    private static func encryptAES128ECB(_ plaintext: [UInt8], key: [UInt8]) throws -> [UInt8] {
        guard let context = EVP_CIPHER_CTX_new() else { throw Failure(description: "OpenSSL: no cipher context") }
        defer { EVP_CIPHER_CTX_free(context) }
        var output = [UInt8](repeating: 0, count: plaintext.count + 16)
        var written: Int32 = 0, final: Int32 = 0
        guard EVP_EncryptInit_ex(context, EVP_aes_128_ecb(), nil, key, nil) == 1,
              EVP_EncryptUpdate(context, &output, &written, plaintext, Int32(plaintext.count)) == 1,
              output.withUnsafeMutableBufferPointer({ EVP_EncryptFinal_ex(context, $0.baseAddress! + Int(written), &final) }) == 1 else {
            throw Failure(description: "OpenSSL: AES encryption failed")
        }
        return Array(output[0..<Int(written + final)])
    }

    private static func encryptRSA(_ plaintext: [UInt8], publicKeyDER der: [UInt8]) throws -> [UInt8] {
        let key: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            return d2i_PUBKEY(nil, &cursor, buffer.count)
        }
        guard let key else { throw Failure(description: "--public-key is not an RSA public key (DER SubjectPublicKeyInfo)") }
        defer { EVP_PKEY_free(key) }
        guard let context = EVP_PKEY_CTX_new(key, nil) else { throw Failure(description: "OpenSSL: no key context") }
        defer { EVP_PKEY_CTX_free(context) }
        var length = 0
        guard EVP_PKEY_encrypt_init(context) == 1, EVP_PKEY_CTX_set_rsa_padding(context, RSA_PKCS1_PADDING) == 1,
              EVP_PKEY_encrypt(context, nil, &length, plaintext, plaintext.count) == 1 else {
            throw Failure(description: "OpenSSL: RSA encryption could not start")
        }
        var output = [UInt8](repeating: 0, count: length)
        guard EVP_PKEY_encrypt(context, &output, &length, plaintext, plaintext.count) == 1 else {
            throw Failure(description: "OpenSSL: RSA encryption failed")
        }
        return Array(output[0..<length])
    }
}
