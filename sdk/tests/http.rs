//! The HTTP API on native builds (what a step's unit tests use), against a
//! real server on 127.0.0.1 started here.

use std::net::TcpListener;
use std::time::Duration;

use wasm_workflows_sdk::http::{HttpError, Method, Request, StatusCode};
use wasm_workflows_sdk::json::Value;

fn server() -> String {
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let origin = format!("http://{}", server.server_addr().to_ip().unwrap());
    std::thread::spawn(move || {
        for mut request in server.incoming_requests() {
            std::thread::spawn(move || {
                let mut body = String::new();
                request.as_reader().read_to_string(&mut body).unwrap();
                let content_type = request
                    .headers()
                    .iter()
                    .find(|h| h.field.equiv("content-type"))
                    .map(|h| h.value.to_string())
                    .unwrap_or_default();
                let reply = match request.url() {
                    "/slow" => {
                        std::thread::sleep(Duration::from_secs(2));
                        "late".to_owned()
                    }
                    "/big" => "y".repeat(10_000),
                    "/json" => r#"{"ok": true}"#.to_owned(),
                    _ => format!("{} {} [{content_type}] {body}", request.method(), request.url()),
                };
                let status = if request.url() == "/teapot" { 418 } else { 200 };
                let _ = request.respond(tiny_http::Response::from_string(reply).with_status_code(status));
            });
        }
    });
    origin
}

#[test]
fn requests_carry_method_body_and_content_type() {
    let origin = server();
    let response = Request::post(format!("{origin}/a")).text("hi").send().unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.text().unwrap(), "POST /a [text/plain; charset=utf-8] hi");
    let json = Request::put(format!("{origin}/b")).json(&Value::from(vec![1, 2])).send().unwrap();
    assert_eq!(json.text().unwrap(), "PUT /b [application/json] [1,2]");
    let typed = Request::post(format!("{origin}/c")).header("content-type", "text/csv").text("a,b").send().unwrap();
    assert_eq!(typed.text().unwrap(), "POST /c [text/csv] a,b");
    let converted: Request =
        http::Request::builder().method("DELETE").uri(format!("{origin}/d")).body(b"raw".to_vec()).unwrap().into();
    assert_eq!(converted.send().unwrap().text().unwrap(), "DELETE /d [] raw");
    assert_eq!(Request::with_method_name("patch", format!("{origin}/e")).method(), Method::PATCH);
}

#[test]
fn statuses_are_responses_and_bodies_parse() {
    let origin = server();
    let teapot = Request::get(format!("{origin}/teapot")).send().unwrap();
    assert_eq!(teapot.status().as_u16(), 418);
    let json: Value = Request::get(format!("{origin}/json")).send().unwrap().json().unwrap();
    assert_eq!(json.get("ok"), Some(&Value::Bool(true)));
    let response: http::Response<Vec<u8>> = Request::get(format!("{origin}/json")).send().unwrap().into();
    assert_eq!(response.body(), br#"{"ok": true}"#);
}

#[test]
fn failures_say_what_happened() {
    let origin = server();
    let slow = Request::get(format!("{origin}/slow")).timeout(Duration::from_millis(300)).send().unwrap_err();
    assert_eq!(slow.to_string(), format!("the request to {origin}/slow timed out after 300 ms"));

    let big = Request::get(format!("{origin}/big")).max_response_size(1000).send().unwrap_err();
    assert!(matches!(big, HttpError::BodyTooLarge { limit: 1000, .. }), "{big}");

    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let refused = Request::get(format!("http://127.0.0.1:{port}/")).send().unwrap_err();
    assert_eq!(
        refused.to_string(),
        format!("the connection to http://127.0.0.1:{port}/ was refused: nothing is listening at 127.0.0.1:{port}")
    );

    // (No DNS failure here: resolving a name may leave the loopback network.)
    assert_eq!(
        Request::get("example.org/x").send().unwrap_err().to_string(),
        "invalid URL \"example.org/x\": it has no scheme (http:// or https://)"
    );
    assert_eq!(
        Request::get(&origin).header("bad header", "x").send().unwrap_err().to_string(),
        "invalid header \"bad header\": not a valid header name"
    );
    assert_eq!(
        Request::with_method_name("G E T", &origin).send().unwrap_err().to_string(),
        "invalid HTTP method \"G E T\""
    );
}

#[test]
fn a_content_length_that_is_not_the_bodys_is_refused_before_sending() {
    let refused = Request::post("http://127.0.0.1:9/").header("content-length", "5").body("abc").send().unwrap_err();
    assert_eq!(
        refused.to_string(),
        "invalid header \"content-length\": it says \"5\", but the body has 3 bytes (leave it out: it is set)"
    );
    // The right length is kept (and the request then goes out).
    let origin = server();
    let sent = Request::put(format!("{origin}/echo")).header("content-length", "3").body("abc").send().unwrap();
    assert_eq!(sent.text().unwrap(), "PUT /echo [] abc");
}

#[derive(serde::Serialize)]
struct Order {
    item: &'static str,
    count: u32,
}

#[derive(serde::Deserialize, Debug, PartialEq)]
struct Reply {
    ok: bool,
}

#[test]
fn typed_json_both_ways() {
    let origin = server();
    let sent = Request::post(format!("{origin}/order")).json(&Order { item: "bolt", count: 3 }).send().unwrap();
    assert_eq!(sent.text().unwrap(), r#"POST /order [application/json] {"item":"bolt","count":3}"#);
    let reply: Reply = Request::get(format!("{origin}/json")).send().unwrap().json().unwrap();
    assert_eq!(reply, Reply { ok: true });
    let wrong = Request::get(format!("{origin}/big")).send().unwrap().json::<Reply>().unwrap_err();
    assert!(wrong.to_string().contains("is not valid JSON"), "{wrong}");
}

#[test]
fn bodies_stream_both_ways() {
    let origin = server();
    let body = "z".repeat(100_000);
    let sent = Request::put(format!("{origin}/up")).body_reader(std::io::Cursor::new(body.clone()), 100_000).send();
    assert_eq!(sent.unwrap().text().unwrap(), format!("PUT /up [] {body}"));

    let short = Request::put(format!("{origin}/up")).body_reader(std::io::Cursor::new("abc"), 10).send().unwrap_err();
    assert!(short.to_string().contains("the body ended after 3 of the 10 bytes"), "{short}");

    let mut streamed = Request::get(format!("{origin}/big")).max_response_size(10).send_streaming().unwrap();
    assert_eq!(streamed.status(), StatusCode::OK);
    let mut read = String::new();
    std::io::Read::read_to_string(&mut streamed, &mut read).unwrap();
    assert_eq!(read.len(), 10_000, "a streamed response has no size limit");
}
