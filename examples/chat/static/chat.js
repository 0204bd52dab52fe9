// The chat page: messages over a websocket, the live counts over server-sent events.
"use strict";

const me = document.getElementById("me").textContent;
const log = document.getElementById("log");
const form = document.getElementById("say");
const input = document.getElementById("text");
const connection = document.getElementById("connection");

function show(message) {
  // textContent, never innerHTML: a message is text, whatever it contains.
  const item = document.createElement("li");
  if (message.from === me) item.className = "mine";
  const from = document.createElement("span");
  from.className = "from";
  from.textContent = message.from;
  const text = document.createElement("span");
  text.className = "text";
  text.textContent = message.text;
  item.append(from, " ", text);
  log.append(item);
  item.scrollIntoView({ block: "end" });
}

function status(text, online) {
  connection.textContent = text;
  connection.className = online ? "online" : "offline";
}

let socket = null;
function connect() {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  socket = new WebSocket(`${scheme}//${location.host}/ws`);
  socket.onopen = () => status("connected", true);
  socket.onmessage = (event) => show(JSON.parse(event.data));
  socket.onclose = () => {
    status("reconnecting…", false);
    setTimeout(connect, 1000);
  };
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = input.value.trim();
  if (text && socket && socket.readyState === WebSocket.OPEN) {
    socket.send(text);
    input.value = "";
  }
});

// EventSource reconnects by itself if the stream drops.
const counts = new EventSource("/events");
counts.onmessage = (event) => {
  const { online, messages } = JSON.parse(event.data);
  document.getElementById("online").textContent = online;
  document.getElementById("messages").textContent = messages;
};

connect();
