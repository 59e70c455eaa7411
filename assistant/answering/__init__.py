"""Stage 3, answering a question: ``assistant`` (the Assistant) runs the stages in order — read the question,
retrieve, judge whether it is answered, compose the answer, verify its citations; ``evaluate`` scores it on a
question set."""
