//! serde at the edges: the step posts a typed request to a JSON API
//! (`Request::json(&T)`), reads the typed answer (`Response::json::<T>()`),
//! and returns a `Serialize` struct as an output parameter, which becomes a
//! JSON object. The `log` facade's records (its own and its dependencies')
//! go to the step's log.

use serde::{Deserialize, Serialize};
use wasm_workflows_sdk::http::Request;
use wasm_workflows_sdk::log;
use wasm_workflows_sdk::prelude::*;

#[derive(FromInvocation)]
struct Inputs {
    /// The API's endpoint.
    url: String,
    /// The order's items: a JSON array of `{"name", "quantity"}` objects.
    items: Vec<Item>,
}

#[derive(Serialize, Deserialize)]
struct Item {
    name: String,
    quantity: u32,
}

/// What the API is sent.
#[derive(Serialize)]
struct Order<'a> {
    items: &'a [Item],
    express: bool,
}

/// What the API answers.
#[derive(Deserialize, Serialize)]
struct Receipt {
    id: String,
    total: u32,
}

#[workflow_step]
fn run(inputs: Inputs) -> anyhow::Result<PluginResult> {
    let order = Order { items: &inputs.items, express: false };
    let response = Request::post(&inputs.url).json(&order).send()?;
    anyhow::ensure!(response.status().is_success(), "the API answered {}", response.status());
    let receipt: Receipt = response.json()?;
    log::info!("order {} placed: {} items", receipt.id, receipt.total);
    Ok(PluginResult::succeeded(format!("order {}", receipt.id)).with_parameter("receipt", receipt))
}
