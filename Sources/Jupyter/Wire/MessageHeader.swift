/// A message header. Fields the kernel does not model are kept in `extraFields` so a reply's
/// `parent_header` echoes the request's header exactly (e.g. `subshell_id`).
public struct MessageHeader: Sendable, Equatable {
    public var msgID: String
    public var msgType: String
    public var username: String
    public var session: String
    public var date: String
    public var version: String
    public var extraFields: [String: JSONValue]

    public init(msgID: String, msgType: String, username: String, session: String, date: String,
                version: String = jupyterProtocolVersion, extraFields: [String: JSONValue] = [:]) {
        self.msgID = msgID
        self.msgType = msgType
        self.username = username
        self.session = session
        self.date = date
        self.version = version
        self.extraFields = extraFields
    }

    /// Reads a received header: `msg_id` and `msg_type` are required strings, the rest default to "".
    public init(json: [String: JSONValue]) throws {
        guard let msgID = json["msg_id"]?.stringValue, !msgID.isEmpty else { throw WireError.missingHeaderField("msg_id") }
        guard let msgType = json["msg_type"]?.stringValue, !msgType.isEmpty else {
            throw WireError.missingHeaderField("msg_type")
        }
        var extra = json
        for key in MessageHeader.modelledKeys { extra.removeValue(forKey: key) }
        self.init(msgID: msgID, msgType: msgType, username: json["username"]?.stringValue ?? "",
                  session: json["session"]?.stringValue ?? "", date: json["date"]?.stringValue ?? "",
                  version: json["version"]?.stringValue ?? "", extraFields: extra)
    }

    static let modelledKeys = ["msg_id", "msg_type", "username", "session", "date", "version"]

    /// The header as a JSON object, extra fields included.
    public var json: [String: JSONValue] {
        var object = extraFields
        object["msg_id"] = .string(msgID)
        object["msg_type"] = .string(msgType)
        object["username"] = .string(username)
        object["session"] = .string(session)
        object["date"] = .string(date)
        object["version"] = .string(version)
        return object
    }
}
