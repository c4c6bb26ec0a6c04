#!/usr/bin/env python3
"""Sends every kind of bad request to a local `recurrent serve` and prints a Markdown table of what came back.

    ./recurrent serve ptb=RUN imdb=RUN shakespeare=RUN chunker=RUN text8=VECTORS.vec --port 5000 &
    /usr/bin/python3 benchmarks/serve/bad_inputs.py http://127.0.0.1:5000 ptb imdb shakespeare chunker text8

The five names are a word language model, a classifier, a char language model, a tagger and word vectors.
Loopback addresses only.
"""
import http.client
import json
import sys
import urllib.parse

url = urllib.parse.urlparse(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:5000")
defaults = ["ptb", "imdb", "shakespeare", "chunker", "text8"]
word, clf, char, tagger, vectors = (sys.argv[2:7] + defaults[len(sys.argv[2:7]):])[:5]
if url.hostname not in ("127.0.0.1", "localhost", "::1"):
    sys.exit(f"{url.geturl()}: only a local server (127.0.0.1, ::1, localhost)")


def send(method, path, body=None, content_type="application/json", chunked=False):
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    headers = {} if content_type is None else {"Content-Type": content_type}
    data = body.encode("utf-8") if isinstance(body, str) else body
    if chunked:
        connection.request(method, path, body=iter([data]), headers=headers, encode_chunked=True)
    else:
        connection.request(method, path, body=data, headers=headers)
    response = connection.getresponse()
    text = response.read().decode("utf-8", "replace")
    connection.close()
    try:
        detail = json.loads(text).get("detail") or json.loads(text).get("title")
    except (ValueError, AttributeError):
        detail = None
    if response.status < 400 or detail is None:
        detail = "`" + (text if len(text) <= 100 else text[:100] + "…") + "`"
    return response.status, response.getheader("Content-Type", ""), detail


m = lambda name, action: f"/v1/models/{name}/{action}"
long_text = "a " * 2500
cases = [
    ("truncated JSON", "POST", m(word, "next"), '{"text": "the cat",'),
    ("trailing garbage", "POST", m(word, "next"), '{"text": "the"} x'),
    ("unknown field (typo)", "POST", m(word, "generate"), '{"prime": "the", "lenght": 5}'),
    ("k as a string", "POST", m(word, "next"), '{"text": "the", "k": "ten"}'),
    ("text as a number", "POST", m(word, "next"), '{"text": 7}'),
    ("k = 1e20", "POST", m(word, "next"), '{"text": "the", "k": 1e20}'),
    ("JSON array as body", "POST", m(word, "next"), "[1, 2]"),
    ("JSON null as body", "POST", m(word, "next"), "null"),
    ("empty body", "POST", m(word, "next"), ""),
    ("nesting 100 deep", "POST", m(word, "next"), '{"text": ' + "[" * 100 + "]" * 100 + "}"),
    ("lone surrogate \\ud800", "POST", m(char, "next"), '{"text": "a\\ud800b"}'),
    ("Content-Type text/plain", "POST", m(word, "next"), '{"text": "the"}', "text/plain"),
    ("no Content-Type", "POST", m(word, "next"), '{"text": "the"}', None),
    ("form body", "POST", m(word, "next"), "text=the", "application/x-www-form-urlencoded"),
    ("unknown model", "POST", m("nope", "next"), '{"text": "the"}'),
    ("path traversal as model name", "POST", m("..%2F..%2Fetc%2Fpasswd", "next"), '{"text": "the"}'),
    ("file path as model name", "POST", m("%2Ftmp%2Fsrv-ptb-small%2Fbest.ckpt", "next"), '{"text": "the"}'),
    ("unknown action", "POST", m(word, "translate"), '{"text": "the"}'),
    ("GET on an action", "GET", m(word, "next"), None),
    ("PUT on an action", "PUT", m(word, "next"), '{"text": "the"}'),
    ("unknown version", "GET", "/v2/models", None),
    ("classify on a word LM", "POST", m(word, "classify"), '{"texts": ["good"]}'),
    ("next on a classifier", "POST", m(clf, "next"), '{"text": "good"}'),
    ("generate on a classifier", "POST", m(clf, "generate"), '{"prime": "good"}'),
    ("tag on a word LM", "POST", m(word, "tag"), '{"texts": ["the cat"]}'),
    ("nearest on a word LM", "POST", m(word, "nearest"), '{"word": "cat"}'),
    ("analogy on a classifier", "POST", m(clf, "analogy"), '{"a": "a", "b": "b", "c": "c"}'),
    ("vector on a char LM", "POST", m(char, "vector"), '{"word": "cat"}'),
    ("tag on word vectors", "POST", m(vectors, "tag"), '{"texts": ["the cat"]}'),
    ("nearest on a tagger", "POST", m(tagger, "nearest"), '{"word": "cat"}'),
    ("next on word vectors", "POST", m(vectors, "next"), '{"text": "the"}'),
    ("text of 5,000 characters", "POST", m(word, "next"), json.dumps({"text": long_text})),
    ("prime of 5,000 characters", "POST", m(word, "generate"), json.dumps({"prime": long_text})),
    ("65 texts", "POST", m(clf, "classify"), json.dumps({"texts": ["good"] * 65})),
    ("one text of 5,000 characters in a batch", "POST", m(word, "score"), json.dumps({"texts": ["ok", long_text]})),
    ("body of 1.1 MB (Content-Length)", "POST", m(clf, "classify"), json.dumps({"texts": ["x" * 1_100_000]})),
    ("body of 1.1 MB (chunked)", "POST", m(clf, "classify"), json.dumps({"texts": ["x" * 1_100_000]}), "application/json", True),
    ("k = 0", "POST", m(word, "next"), '{"text": "the", "k": 0}'),
    ("k = 1001", "POST", m(word, "next"), '{"text": "the", "k": 1001}'),
    ("length = 2001", "POST", m(word, "generate"), '{"length": 2001}'),
    ("length = -1", "POST", m(word, "generate"), '{"length": -1}'),
    ("temperature = 0", "POST", m(word, "generate"), '{"temperature": 0}'),
    ("temperature = -1", "POST", m(word, "generate"), '{"temperature": -1}'),
    ("temperature = 1e39 (overflows float)", "POST", m(word, "generate"), '{"temperature": 1e39}'),
    ("top_k = -1", "POST", m(word, "generate"), '{"top_k": -1}'),
    ("seed = -1", "POST", m(word, "generate"), '{"seed": -1}'),
    ("texts missing", "POST", m(word, "score"), "{}"),
    ("texts empty", "POST", m(clf, "classify"), '{"texts": []}'),
    ("texts with a null", "POST", m(clf, "classify"), '{"texts": ["good", null]}'),
    ("texts as a string", "POST", m(clf, "classify"), '{"texts": "good"}'),
    ("text missing", "POST", m(word, "next"), '{"k": 3}'),
    ("score a blank text", "POST", m(word, "score"), '{"texts": ["   "]}'),
    ("char outside the char model's vocabulary", "POST", m(char, "next"), '{"text": "naïve €"}'),
    ("prime outside the char model's vocabulary", "POST", m(char, "generate"), '{"prime": "\\u6f22\\u5b57"}'),
    ("score an empty text (char model)", "POST", m(char, "score"), '{"texts": [""]}'),
    ("words the word model never saw (accepted: <unk>)", "POST", m(word, "next"), '{"text": "zyzzyva quux", "k": 1}'),
    ("duplicate key", "POST", m(word, "next"), '{"text": "a", "text": "the", "k": 1}'),
    ("tag a blank text", "POST", m(tagger, "tag"), '{"texts": ["The cat .", " \\t "]}'),
    ("tag 65 texts", "POST", m(tagger, "tag"), json.dumps({"texts": ["the cat"] * 65})),
    ("tag a text of 5,000 characters", "POST", m(tagger, "tag"), json.dumps({"texts": [long_text]})),
    ("tag with text instead of texts", "POST", m(tagger, "tag"), '{"text": "the cat"}'),
    ("words the tagger never saw (accepted: <unk>)", "POST", m(tagger, "tag"), '{"texts": ["zyzzyva quux"]}'),
    ("nearest: a word without a vector", "POST", m(vectors, "nearest"), '{"word": "zyzzyva"}'),
    ("nearest: a capitalised word (the lookup is exact)", "POST", m(vectors, "nearest"), '{"word": "France"}'),
    ("nearest: empty word", "POST", m(vectors, "nearest"), '{"word": ""}'),
    ("nearest: word missing", "POST", m(vectors, "nearest"), '{"k": 3}'),
    ("nearest: k = 0", "POST", m(vectors, "nearest"), '{"word": "king", "k": 0}'),
    ("nearest: word of 5,000 characters", "POST", m(vectors, "nearest"), json.dumps({"word": long_text})),
    ("analogy: two words without a vector", "POST", m(vectors, "analogy"), '{"a": "man", "b": "kingg", "c": "wooman"}'),
    ("analogy: c missing", "POST", m(vectors, "analogy"), '{"a": "man", "b": "king"}'),
    ("vector: word and words", "POST", m(vectors, "vector"), '{"word": "king", "words": ["queen"]}'),
    ("vector: neither word nor words", "POST", m(vectors, "vector"), "{}"),
    ("vector: 65 words", "POST", m(vectors, "vector"), json.dumps({"words": ["king"] * 65})),
    ("vector: one of the words without a vector", "POST", m(vectors, "vector"), '{"words": ["king", "zyzzyva"]}'),
    ("vector: words as a string", "POST", m(vectors, "vector"), '{"words": "king"}'),
]

print("| # | bad input | request | status | detail |")
print("| --- | --- | --- | --- | --- |")
for i, case in enumerate(cases, 1):
    name, method, path, body, *rest = case
    status, content_type, detail = send(method, path, body, *rest)
    shown = body if body is None or len(body) <= 60 else body[:45] + f"… ({len(body):,} bytes)"
    request = f"`{method} {path}`" + (f" `{shown}`" if shown else "")
    problem = " (problem+json)" if content_type.startswith("application/problem+json") else ""
    detail = str(detail).replace("|", "\\|").replace("\n", " ")
    print(f"| {i} | {name} | {request.replace('|', chr(92) + '|')} | {status}{problem} | {detail} |")
