/// One `%doctor` verdict: what was checked, how it went, and what to do about it.
public struct DoctorCheck: Sendable, Equatable {
    public enum Verdict: String, Sendable, Equatable { case pass, warn, fail, skip }
    public var name: String
    public var verdict: Verdict
    public var detail: String
    /// What to do next (empty when nothing is needed).
    public var fix: String
    /// A page that helps (a licence to accept, token settings).
    public var link: String?

    public init(_ name: String, _ verdict: Verdict, _ detail: String, fix: String = "", link: String? = nil) {
        self.name = name
        self.verdict = verdict
        self.detail = detail
        self.fix = fix
        self.link = link
    }
}
