"""The workshop's hub on Kubernetes: a Zero to JupyterHub values file with the same settings.

For more trainees than one server holds.  The values carry no secret: the roster
and the room code go into a Kubernetes secret the trainer creates from files this
module writes beside the values (``secret/``, readable by the trainer only, never
to be committed), and the trainees' Jupyter settings into a config map.

Storage the trainer provides (ReadWriteMany volumes, e.g. NFS):

* ``nbgrader-exchange``: the nbgrader exchange, mounted in every trainee's pod;
* ``cadrelab-cases``: a copy of the workshop's ``cases/`` folder; each pod mounts only
  its own ``<user>/`` subfolder, read-only, as ``~/cadrelab-cases``.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import yaml

from cadrelab import atomic
from cadrelab.grading.roster import ROSTER_FILE
from cadrelab.grading.workshop import Workshop
from cadrelab.hub.config import (
    CODE_FILE,
    TRAINEE_CONFIG,
    TRAINEE_SERVER_CONFIG,
    HubOptions,
    open_workshop,
    trainee_nbgrader_config,
)
from cadrelab.hub.home import CASES_ENV, CASES_FOLDER, COURSE_INDEX_URL, COURSES_FOLDER
from cadrelab.hub.users import workshop_code

VALUES_FILE = "cadrelab-values.yaml"
SECRET_NAME = "cadrelab-workshop"
CONFIG_MAP_NAME = "cadrelab-trainee-config"
EXCHANGE_CLAIM = "nbgrader-exchange"
CASES_CLAIM = "cadrelab-cases"
EXCHANGE_PATH = "/srv/nbgrader/exchange"
HOME = "/home/jovyan"
SECRET_MOUNT = "/etc/cadrelab"
TRAINEE_CONFIG_MOUNT = "/etc/cadrelab-trainee"


def _image(reference: str) -> dict[str, str]:
    name, _, tag = reference.rpartition(":")
    return (
        {"name": name, "tag": tag}
        if name and "/" not in tag
        else {"name": reference, "tag": "latest"}
    )


def render_values(
    workshop: Workshop, options: HubOptions, image: str, hub_image: str
) -> dict[str, object]:
    """Zero to JupyterHub values for ``workshop`` (no secret in them)."""
    return {
        "hub": {
            "image": _image(hub_image),
            "config": {
                "JupyterHub": {"authenticator_class": "cadrelab.hub.auth.RosterAuthenticator"},
                "RosterAuthenticator": {
                    "roster_file": f"{SECRET_MOUNT}/{ROSTER_FILE}",
                    "login": options.login,
                    "code_file": f"{SECRET_MOUNT}/{CODE_FILE}",
                    "password_file": "/srv/jupyterhub/cadrelab-passwords.json",
                },
            },
            "extraVolumes": [{"name": "cadrelab-workshop", "secret": {"secretName": SECRET_NAME}}],
            "extraVolumeMounts": [
                {"name": "cadrelab-workshop", "mountPath": SECRET_MOUNT, "readOnly": True}
            ],
        },
        "singleuser": {
            "image": _image(image),
            "defaultUrl": COURSE_INDEX_URL,
            "memory": {"limit": options.memory, "guarantee": options.memory},
            "cpu": {"limit": options.cpu, "guarantee": round(options.cpu / 4, 2)},
            "extraEnv": {
                "CADRELAB_LANG": "vi",
                CASES_ENV: f"{HOME}/{CASES_FOLDER}",
                "JUPYTER_CONFIG_PATH": TRAINEE_CONFIG_MOUNT,
            },
            "storage": {
                "extraVolumes": [
                    {"name": "exchange", "persistentVolumeClaim": {"claimName": EXCHANGE_CLAIM}},
                    {"name": "cases", "persistentVolumeClaim": {"claimName": CASES_CLAIM}},
                    {"name": "trainee-config", "configMap": {"name": CONFIG_MAP_NAME}},
                ],
                "extraVolumeMounts": [
                    {"name": "exchange", "mountPath": EXCHANGE_PATH},
                    {
                        "name": "cases",
                        "mountPath": f"{HOME}/{CASES_FOLDER}",
                        "subPath": "{username}",
                        "readOnly": True,
                    },
                    {"name": "trainee-config", "mountPath": TRAINEE_CONFIG_MOUNT, "readOnly": True},
                ],
            },
            "lifecycleHooks": {
                "postStart": {
                    "exec": {"command": ["cadrelab", "courses", "copy", f"{HOME}/{COURSES_FOLDER}"]}
                }
            },
        },
        "cull": {"enabled": True, "timeout": options.idle_minutes * 60, "every": 300},
    }


def write_values(
    workshop_dir: Path, out: Path, options: HubOptions, image: str, hub_image: str
) -> tuple[Path, str]:
    """Write the values, the config map's files and the secret's files; returns the values
    file and the ``kubectl`` command that creates the secret and the config map."""
    workshop = open_workshop(workshop_dir.absolute())
    out = out.absolute()
    values = render_values(workshop, options, image, hub_image)
    header = (
        f"# Zero to JupyterHub values for the cadrelab workshop {workshop.course_id!r}, written\n"
        "# by `cadrelab workshop hub-config --kubernetes`.  No secret in here: see secret/.\n"
    )
    path = out / VALUES_FILE
    atomic.write_text(path, header + yaml.safe_dump(values, allow_unicode=True, sort_keys=False))
    trainee = out / TRAINEE_CONFIG
    atomic.write_text(
        trainee / "nbgrader_config.py", trainee_nbgrader_config(workshop, EXCHANGE_PATH)
    )
    atomic.write_text(
        trainee / "jupyter_server_config.json", json.dumps(TRAINEE_SERVER_CONFIG, indent=2) + "\n"
    )
    secret = out / "secret"
    secret.mkdir(parents=True, exist_ok=True)
    os.chmod(secret, 0o700)
    shutil.copyfile(workshop.root / ROSTER_FILE, secret / ROSTER_FILE)
    atomic.write_text(secret / CODE_FILE, workshop_code(workshop.secret()) + "\n")
    for file in secret.iterdir():
        os.chmod(file, 0o600)
    command = (
        f"kubectl create secret generic {SECRET_NAME} --from-file={secret / ROSTER_FILE} "
        f"--from-file={secret / CODE_FILE} && kubectl create configmap {CONFIG_MAP_NAME} "
        f"--from-file={trainee / 'nbgrader_config.py'} "
        f"--from-file={trainee / 'jupyter_server_config.json'}"
    )
    return path, command
