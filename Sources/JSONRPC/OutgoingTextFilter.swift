import JSONCore

extension JSONValue {
    /// This value with `transform` applied to every string, object keys included (keys that become equal keep the last value).
    func mappingStringsAndKeys(_ transform: (String) -> String) -> JSONValue {
        switch self {
        case .string(let value): return .string(transform(value))
        case .array(let values): return .array(values.map { $0.mappingStringsAndKeys(transform) })
        case .object(let object):
            return .object(Dictionary(object.map { (transform($0.key), $0.value.mappingStringsAndKeys(transform)) },
                                      uniquingKeysWith: { _, last in last }))
        case .null, .bool, .number: return self
        }
    }
}

extension RPCMessage {
    /// The message with `filter` applied to every string of its payload: params, result, error message and data
    /// (object keys included). The envelope (`jsonrpc`, `id`, `method`) is the protocol's and is left as is.
    func filteringText(_ filter: (String) -> String) -> RPCMessage {
        switch self {
        case .request(var request):
            request.params = request.params?.mappingStringsAndKeys(filter)
            return .request(request)
        case .notification(var notification):
            notification.params = notification.params?.mappingStringsAndKeys(filter)
            return .notification(notification)
        case .response(var response):
            switch response.outcome {
            case .success(let result): response.outcome = .success(result.mappingStringsAndKeys(filter))
            case .failure(let error):
                response.outcome = .failure(RPCError(code: error.code, message: filter(error.message),
                                                     data: error.data?.mappingStringsAndKeys(filter)))
            }
            return .response(response)
        }
    }
}
