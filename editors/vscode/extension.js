// The specc extension: starts `specc lsp` (stdio) for .specc files.
"use strict";
const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const config = vscode.workspace.getConfiguration("specc");
  const [command, ...args] = config.get("server.command", ["specc", "lsp"]);
  const serverOptions = { command, args, transport: TransportKind.stdio };
  const clientOptions = {
    documentSelector: [{ scheme: "file", language: "specc" }],
    initializationOptions: { debounce: config.get("server.debounce", 0.3) },
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher("**/*.specc") },
  };
  client = new LanguageClient("specc", "specc", serverOptions, clientOptions);
  client.start();
  context.subscriptions.push({ dispose: () => client && client.stop() });
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
