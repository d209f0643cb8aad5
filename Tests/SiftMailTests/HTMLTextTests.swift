import SiftMail
import XCTest

/// HTML bodies: tags, scripts and styles, entities, links.
final class HTMLTextTests: XCTestCase {
    private func html(_ html: String) throws -> String {
        Mail.body(try Mail.text("Content-Type: text/html; charset=utf-8\n\n" + html))
    }

    func testScriptStyleAndCommentsAreDropped() throws {
        XCTAssertEqual(try html("""
            <html><head><title>t</title><style>p { color: red }</style>
            <script type="text/javascript">var x = "<p>not text</p>";</script></head>
            <body><!-- hidden <b>comment</b> -->Visible <SCRIPT>evil()</SCRIPT>text</body></html>
            """), "Visible text")
    }

    func testEntities() throws {
        XCTAssertEqual(try html("Fish &amp; chips &lt;3 &nbsp;&euro;5 &#8364;6 &#x41;&#66; caf&eacute; &copy; &bogus; &#150; & done"),
                       "Fish & chips <3 €5 €6 AB café © &bogus; – & done")
    }

    func testLinksKeepTextAndHost() throws {
        XCTAssertEqual(try html("<p>Please <a href=\"http://www.Evil.example:8080/login?x=1\">click here</a> now</p>"),
                       "Please click here [www.evil.example] now")
        XCTAssertEqual(try html("<a href='https://bank.example@phish.example/'>bank.example</a>"), "bank.example [phish.example]")
        XCTAssertEqual(try html("<a href=mailto:sales@spam.example>write</a> <a href=\"#top\">top</a>"), "write [spam.example] top")
    }

    func testBlockTagsBreakLinesAndInlineTagsJoinWords() throws {
        XCTAssertEqual(try html("<div>V<b></b>iagra<font color=red>!</font></div><p>line<br>two</p><table><tr><td>a</td><td>b</td></tr></table>"),
                       "Viagra!\nline\ntwo\na b")
    }

    func testLiteralLessThanAndBrokenTags() throws {
        XCTAssertEqual(try html("1 < 2 and <unclosed"), "1 < 2 and")
        XCTAssertEqual(try html("<a href=\"http://x.example\">open link"), "open link")
    }
}
