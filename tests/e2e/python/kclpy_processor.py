#!/usr/bin/env python3
"""A record processor of the Python KCL (amazon-kclpy), run by the MultiLangDaemon once per shard:

    kclpy_processor.py OUTPUT_FILE

Appends one JSON line per record it processes to OUTPUT_FILE ({"shard", "sequence", "key", "data"}),
then checkpoints at the batch's last record; a checkpoint failure is appended as {"error": ...}.
Its standard output belongs to the daemon's protocol: nothing else may be printed there.
"""

import json
import sys

from amazon_kclpy import kcl
from amazon_kclpy.v3 import processor


class RecordProcessor(processor.RecordProcessorBase):
    def __init__(self, output: str):
        self._output = output
        self._shard = None

    def _append(self, entries: list) -> None:
        with open(self._output, "a", encoding="utf-8") as out:
            for entry in entries:
                out.write(json.dumps(entry) + "\n")

    def _checkpoint(self, checkpointer, where: str) -> None:
        try:
            checkpointer.checkpoint()
        except kcl.CheckpointError as e:
            if e.value != "ShutdownException":  # the lease moved on: the next owner goes on from the last one
                self._append([{"error": f"{self._shard} {where}: {e.value}"}])

    def initialize(self, initialize_input):
        self._shard = initialize_input.shard_id

    def process_records(self, process_records_input):
        records = process_records_input.records
        self._append([{"shard": self._shard, "sequence": r.sequence_number, "key": r.partition_key,
                       "data": r.binary_data.decode("utf-8")} for r in records])
        if records:
            self._checkpoint(process_records_input.checkpointer, "process_records")

    def lease_lost(self, lease_lost_input):
        pass

    def shard_ended(self, shard_ended_input):
        self._checkpoint(shard_ended_input.checkpointer, "shard_ended")

    def shutdown_requested(self, shutdown_requested_input):
        self._checkpoint(shutdown_requested_input.checkpointer, "shutdown_requested")


if __name__ == "__main__":
    kcl.KCLProcess(RecordProcessor(sys.argv[1])).run()
