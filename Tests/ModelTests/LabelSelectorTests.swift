import Model
import Testing

/// Kubernetes label selectors (`-l`, `--containers-pod-selector`): one case
/// per operator for parsing and for matching, and the error wording.
@Suite struct LabelSelectorTests {
    typealias Requirement = LabelSelector.Requirement

    @Test("each operator parses to its requirement", arguments: [
        ("app=nginx", Requirement.equals("app", "nginx")),
        ("app==nginx", .equals("app", "nginx")),
        ("app!=nginx", .notEquals("app", "nginx")),
        ("tier in (web, api)", .isIn("tier", ["web", "api"])),
        ("tier notin (db)", .notIn("tier", ["db"])),
        ("canary", .exists("canary")),
        ("!canary", .doesNotExist("canary")),
        ("app.kubernetes.io/name=x_y-z.1", .equals("app.kubernetes.io/name", "x_y-z.1")),
        ("  app  =  ", .equals("app", "")),
    ])
    func operators(text: String, requirement: Requirement) throws {
        #expect(try LabelSelector(parsing: text).requirements == [requirement])
    }

    @Test("requirements are split on commas outside parentheses, in order; an empty selector has none")
    func lists() throws {
        #expect(try LabelSelector(parsing: "app=nginx,tier in (web,api),!canary").requirements
                == [.equals("app", "nginx"), .isIn("tier", ["web", "api"]), .doesNotExist("canary")])
        #expect(try LabelSelector(parsing: "").requirements.isEmpty)
        #expect(try LabelSelector(parsing: "  ").requirements.isEmpty)
        #expect(LabelSelector(matchLabels: ["b": "2", "a": "1"]).requirements == [.equals("a", "1"), .equals("b", "2")])
    }

    @Test("each operator matches a label with the value, one with another value, and no label as Kubernetes does", arguments: [
        (Requirement.equals("app", "nginx"), [true, false, false]),
        (.notEquals("app", "nginx"), [false, true, true]),
        (.isIn("app", ["nginx", "apache"]), [true, false, false]),
        (.notIn("app", ["nginx", "apache"]), [false, true, true]),
        (.exists("app"), [true, true, false]),
        (.doesNotExist("app"), [false, false, true]),
    ])
    func matching(requirement: Requirement, expected: [Bool]) {
        let selector = LabelSelector(requirements: [requirement])
        let labels: [[String: String]] = [["app": "nginx", "tier": "web"], ["app": "redis"], ["tier": "web"]]
        #expect(labels.map(selector.matches) == expected)
    }

    @Test("all requirements must hold; the empty selector selects everything")
    func conjunction() throws {
        let selector = try LabelSelector(parsing: "app=nginx,tier in (web),!canary")
        #expect(selector.matches(["app": "nginx", "tier": "web"]))
        #expect(!selector.matches(["app": "nginx", "tier": "web", "canary": "true"]))
        #expect(!selector.matches(["app": "nginx"]))
        #expect(LabelSelector(requirements: []).matches([:]))
    }

    @Test("malformed selectors are refused in Kubernetes' wording", arguments: [
        ("app=nginx,", "unable to parse requirement: found '', expected: identifier"),
        ("tier in web", "unable to parse requirement: found 'web', expected: '('"),
        ("tier in", "unable to parse requirement: found '', expected: '('"),
        ("tier notin ()", "unable to parse requirement: for 'in', 'notin' operators, values set can't be empty"),
        ("app nginx", "unable to parse requirement: found 'nginx', expected: in, notin, =, ==, !=, gt, lt"),
        ("app=a b", "unable to parse requirement: invalid label value: \"a b\""),
        ("app=" + String(repeating: "v", count: 64), "unable to parse requirement: invalid label value: \"\(String(repeating: "v", count: 64))\""),
        ("a$=b", "unable to parse requirement: invalid label key \"a$\""),
        ("=b", "unable to parse requirement: invalid label key \"\""),
        ("!", "unable to parse requirement: invalid label key \"\""),
        ("tier in (web,a b)", "unable to parse requirement: invalid label value: \"a b\""),
    ])
    func errors(text: String, message: String) {
        let error = #expect(throws: LabelSelector.ParseError.self) { try LabelSelector(parsing: text) }
        #expect(error?.description == message)
    }

    @Test("the numeric operators gt and lt of kubectl's selectors")
    func numericOperators() throws {
        let selector = try LabelSelector(parsing: "replicas>1,replicas<3")
        #expect(selector.requirements == [.greaterThan("replicas", 1), .lessThan("replicas", 3)])
        #expect(selector.matches(["replicas": "2"]))
        #expect(!selector.matches(["replicas": "3"]) && !selector.matches(["replicas": "1"]))
        #expect(!selector.matches(["replicas": "two"]) && !selector.matches([:]), "a label that is absent or not an integer matches neither")
        let error = #expect(throws: LabelSelector.ParseError.self) { try LabelSelector(parsing: "replicas>x") }
        #expect(error?.description == "unable to parse requirement: for 'gt', 'lt' operators, the value must be an integer")
    }

    @Test("the value set may follow in and notin without a space")
    func setWithoutSpace() throws {
        #expect(try LabelSelector(parsing: "tier in(web,api),env notin(dev)").requirements
                == [.isIn("tier", ["web", "api"]), .notIn("env", ["dev"])])
    }
}
