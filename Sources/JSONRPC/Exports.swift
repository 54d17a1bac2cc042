/// Handlers take and return `JSONValue`s: users of this module get JSONCore with it.
@_exported import JSONCore
