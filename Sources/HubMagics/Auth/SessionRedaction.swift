import Foundation
import Hub
import Jupyter

extension MagicSession {
    /// A session with the token guard installed: every string the kernel sends, logs or keeps in history passes
    /// through `redact`, which masks each token known from the token variables, the token file and `stored_tokens`
    /// (kept current automatically) and every token typed at `%hf_login`, wherever its bytes occur, and any string of
    /// a Hub token's shape (`TokenPattern`), known or not. `main.swift` builds its session with this.
    public static func standard(environment: HubEnvironment = .current, transport: HTTPTransport,
                                registry: MagicRegistry = .standard) -> MagicSession {
        let session = MagicSession(environment: environment, transport: transport, registry: registry)
        let live = LiveTokenRedactor()
        SessionRedaction.register(live, for: session)
        session.setRedactor { [weak session] text in
            live.masker(for: session?.environment ?? environment).mask(text)
        }
        return session
    }

    /// The filter as it is now, for many strings in a row (one outgoing message): the token sources are checked once.
    public func redactorSnapshot() -> (String) -> String {
        guard let live = SessionRedaction.redactor(for: self) else { return { [self] in self.redact($0) } }
        let masker = live.masker(for: environment)
        return { masker.mask($0) }
    }

    /// The check, as the filter is now, of JSON bytes as they are on the wire: false only when `redactorSnapshot()`
    /// would change none of their strings (`TokenMasker.mayHoldSecret(json:)`). Without `standard(…)`, what the
    /// filter does is not known: always true.
    public func jsonScreenSnapshot() -> (UnsafeRawBufferPointer) -> Bool {
        guard let live = SessionRedaction.redactor(for: self) else { return { _ in true } }
        let masker = live.masker(for: environment)
        return { masker.mayHoldSecret(json: $0) }
    }

    /// A new filter for a hosted kernel's stream text: it holds back what could begin a secret, so a token written
    /// in pieces is masked whole (`StreamGuard`). Without `standard(…)`, shapes only.
    public func makeStreamFilter() -> StreamTextFilter {
        let live = SessionRedaction.redactor(for: self)
        return GuardedStreams { [weak self] in
            guard let self, let live else { return TokenMasker() }
            return live.masker(for: self.environment)
        }
    }

    /// Makes the redactor mask `token` from now on (a token typed at a prompt, before it is saved).
    /// Does nothing for a session built without `standard(…)`.
    public func rememberSecret(_ token: String) {
        SessionRedaction.redactor(for: self)?.remember(token)
    }
}

/// The live redactor of each standard session (sessions live as long as the process).
enum SessionRedaction {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var redactors: [ObjectIdentifier: LiveTokenRedactor] = [:]

    static func register(_ redactor: LiveTokenRedactor, for session: MagicSession) {
        lock.withLock { redactors[ObjectIdentifier(session)] = redactor }
    }

    static func redactor(for session: MagicSession) -> LiveTokenRedactor? {
        lock.withLock { redactors[ObjectIdentifier(session)] }
    }
}
