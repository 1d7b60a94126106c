"""The replay HTTP API: parse telemetry with the C++ reader and summarise it."""

import msd_reader
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

app = FastAPI(title="replay")


class Stream(BaseModel):
    text: str


class Summary(BaseModel):
    records: int
    mean_speed_mps: float


@app.get("/health")
def health() -> dict:
    return {"status": "ok", "reader": msd_reader.__name__}


@app.post("/summary")
def summary(stream: Stream) -> Summary:
    try:
        records = msd_reader.read_records(stream.text)
    except ValueError as error:
        raise HTTPException(status_code=422, detail=str(error)) from error
    return Summary(records=len(records), mean_speed_mps=msd_reader.mean_speed(records))
