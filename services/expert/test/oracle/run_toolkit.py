"""Runs the risk toolkit's own app.py on request documents, for the oracle test (services/expert/test).

Usage: python run_toolkit.py <toolkit checkout> < requests.json > answers.json
The input is a JSON list of request texts (sent byte for byte, as a toolkit client would). For each, a fresh
toolkit (its module state reloaded: the toolkit keeps the last correlation matrix and instrument names between
requests, which a fresh process would not) answers POST /risks through Flask's test client; the output lists, per
request, the HTTP status, the answer and the risks as the toolkit reads them back from CLIPS (name and its
slot → value pairs). Nothing of the toolkit is copied: it is imported from its checkout and run unchanged.
"""
import importlib
import json
import os
import sys


def main() -> None:
    checkout = os.path.abspath(sys.argv[1])
    requests = json.load(sys.stdin)
    out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # the toolkit prints to stdout; keep it off the answer stream
    sys.stdout = sys.stderr
    os.chdir(checkout)
    sys.path.insert(0, checkout)
    answers = []
    app = None
    for text in requests:
        from clips_wrapper import wrapper
        from correlation.matrix import CorrelationMatrix
        wrapper.ClipsWrapper.corr_matrix = CorrelationMatrix()
        if app is None:
            import app as app_module
            app = app_module
        else:
            app = importlib.reload(app)
        client = app.flask_app.test_client()
        response = client.post("/risks", data=text, content_type="application/json")
        entry = {"status": response.status_code}
        if response.status_code == 200:
            entry["answer"] = json.loads(response.get_data(as_text=True))
            entry["risks"] = [[risk.name, list(risk.params2.items())]
                              for risk in app.clips_wrapper.get_risks()]
        answers.append(entry)
    out.write(json.dumps(answers))
    out.flush()


if __name__ == "__main__":
    main()
