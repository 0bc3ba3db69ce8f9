/// A tabwriter-style table: uppercase headers, columns padded to the widest
/// cell plus two spaces, the last column unpadded.
package struct Table {
    var headers: [String]
    var rows: [[String]] = []

    package init(_ headers: [String]) { self.headers = headers }

    package mutating func append(_ row: [String]) { rows.append(row) }

    package func rendered() -> String {
        let all = [headers] + rows
        var widths = [Int](repeating: 0, count: headers.count)
        for row in all { for (index, cell) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], cell.count) } }
        var output = ""
        for row in all {
            var line = ""
            for (index, cell) in row.enumerated() {
                if index == row.count - 1 { line += cell } else { line += cell + String(repeating: " ", count: widths[index] - cell.count + 2) }
            }
            output += line + "\n"
        }
        return output
    }
}

/// Aligned `Label: value` rows of a detail view, sorted by label.
struct DetailSection {
    var title: String
    var rows: [(String, String)] = []
    var indent = 2

    init(_ title: String, indent: Int = 2) { self.title = title; self.indent = indent }

    mutating func add(_ label: String, _ value: String) { rows.append((label, value)) }

    package func rendered() -> String {
        var output = String(repeating: " ", count: indent - 2) + title + ":\n"
        let width = rows.map(\.0.count).max() ?? 0
        for (label, value) in rows.sorted(by: { $0.0 < $1.0 }) {
            output += String(repeating: " ", count: indent) + label + ":" + String(repeating: " ", count: width - label.count + 1) + value + "\n"
        }
        return output
    }
}
