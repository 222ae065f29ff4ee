"""What the debug session's stops are made of, shared by the session (debugger.py), its breakpoints and its answers.

The ways the program runs until its next stop, the exceptions that never stop it, the training problem a stop can be for
(a non-finite value, loss or gradient, or a monitor's report) and the one-line text of an exception.
"""

# How the program runs until its next stop.
RUN, STEP_IN, STEP_OVER, STEP_OUT, PAUSE, BATCH = "run", "in", "over", "out", "pause", "batch"

NOT_STOPPING = (StopIteration, StopAsyncIteration, GeneratorExit, KeyboardInterrupt, SystemExit)


class TrainingProblem:
    def __init__(self, kind, message, record, inputs=None, structured=None):
        self.kind = kind
        self.message = message
        self.record = record
        self.inputs = inputs
        self.structured = structured  # the message as {"id", "values"} (agent_text.py), or None


def exception_line(error):
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
