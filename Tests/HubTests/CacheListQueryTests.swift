import XCTest
@testable import Hub

final class CacheListQueryTests: XCTestCase {
    func info() throws -> (SyntheticCache, CacheInfo) {
        let cache = SyntheticCache()
        cache.addRevision("big", commit: commitA, refs: ["main"], files: ["f": String(repeating: "x", count: 2000)])
        cache.addRevision("small", commit: commitB, refs: ["v1"], files: ["f": "1"])
        cache.addRevision("org/d", type: "datasets", commit: commitC, refs: ["main"], files: ["f": "123"])
        return (cache, try cache.scan())
    }

    func testFiltersSortAndLimit() throws {
        let (_, info) = try info()
        func ids(_ query: CacheListQuery) -> [String] { query.entries(in: info).map(\.repo.cacheID) }
        XCTAssertEqual(ids(try CacheListQuery()), ["dataset/org/d", "model/big", "model/small"])
        XCTAssertEqual(ids(try CacheListQuery(filters: ["size>1KB"])), ["model/big"])
        XCTAssertEqual(ids(try CacheListQuery(filters: ["type=dataset"])), ["dataset/org/d"])
        XCTAssertEqual(ids(try CacheListQuery(filters: ["refs=MAIN", "size<=3"])), ["dataset/org/d"])
        XCTAssertEqual(ids(try CacheListQuery(filters: ["modified>1d"])), [], "everything was just written")
        XCTAssertEqual(ids(try CacheListQuery(filters: ["accessed<1h"])).count, 3)
        XCTAssertEqual(ids(try CacheListQuery(sort: "size")), ["model/big", "dataset/org/d", "model/small"], "size defaults to desc")
        XCTAssertEqual(ids(try CacheListQuery(sort: "size:asc", limit: 2)), ["model/small", "dataset/org/d"])
        XCTAssertEqual(ids(try CacheListQuery(sort: "name:desc")), ["model/small", "model/big", "dataset/org/d"])
        XCTAssertEqual(try CacheListQuery(revisions: true, filters: ["refs=v1"]).entries(in: info).map(\.revision?.commitHash), [commitB])
    }

    func testBadExpressionsSayWhatIsAccepted() {
        for (filter, hint) in [("color=red", "Must be one of"), ("size>lots", "Invalid size"), ("type>model", "Only '='"), ("size", "Invalid filter")] {
            XCTAssertThrowsError(try CacheListQuery(filters: [filter])) { error in
                XCTAssertTrue((error as? CacheQueryError)?.message.contains(hint) ?? false, "\(filter): \(error)")
            }
        }
        XCTAssertThrowsError(try CacheListQuery(sort: "color"))
        XCTAssertThrowsError(try CacheListQuery(sort: "size:up"))
    }
}
