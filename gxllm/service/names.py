"""What the review pages call things: the Chinese names of severities, kinds, statuses and decisions."""

from __future__ import annotations

SEVERITY_NAMES = {"error": "错误", "warning": "警告", "info": "提示"}
KIND_NAMES = {"source": "原文错误", "extraction": "抽取错误", "missing": "缺失"}
# A record's review status (gxllm.store: StoredDocument.review_status).
RECORD_STATUS_NAMES = {"open": "待审", "reviewed": "已审", "clean": "无问题", "unread": "未抽取"}
# A flag's status on the record page: open, or the decision that closed it.
FLAG_STATUS_NAMES = {"open": "待处理", "confirmed_source": "已确认为原文错误", "dismissed": "已驳回"}
DECISION_NAMES = {"confirmed_source": "确认为原文错误", "corrected": "更正数值", "dismissed": "驳回"}
JOB_NAMES = {"queued": "排队中", "running": "抽取中", "finished": "已完成", "failed": "失败", "interrupted": "已中断，服务重启后继续"}
