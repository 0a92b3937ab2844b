#!/bin/sh
# azd hooks (azure.yaml). azd passes its environment's values, Bicep outputs included, as variables.
set -eu

images_deployed="${OLLM_IMAGES_DEPLOYED:-false}"

case "${1:-}" in
  predeploy-silo)
    # A silo app is one replica advertising one address. Updating it in place lets the old and the
    # new replica overlap on that address for a while (single-revision mode), which Orleans cannot
    # tell apart. Once silos run an image, a new version is a new generation of silo apps.
    if [ "$images_deployed" = true ]; then
      echo "The silos already run an image: azd does not update a silo in place. Roll out a new" >&2
      echo "version as a new generation (README \"Roll out a new version\"); for the front-end alone:" >&2
      echo "azd deploy frontend" >&2
      exit 1
    fi
    ;;
  postdeploy)
    # The first provision ran before any image existed, with placeholders. Provision again, now with
    # the images azd pushed (SERVICE_*_IMAGE_NAME), for the apps' real ports, probes and replicas.
    if [ "$images_deployed" != true ]; then
      azd provision --no-prompt
    fi
    ;;
  postprovision)
    # Standby silos (past minSilos) are created like the others, and a started app runs its replica:
    # stop each once, the first time it is seen with its image. After that it is the autoscaler's to
    # start and stop, so it is remembered (OLLM_STANDBY_STOPPED) and never stopped here again.
    [ "$images_deployed" = true ] || exit 0
    stopped=" ${OLLM_STANDBY_STOPPED:-} "
    for app in ${OLLM_STANDBY_SILO_APPS:-}; do
      case "$stopped" in *" $app "*) continue ;; esac
      echo "Stopping standby silo $app"
      az rest --method post --output none \
        --url "/subscriptions/$AZURE_SUBSCRIPTION_ID/resourceGroups/$AZURE_RESOURCE_GROUP/providers/Microsoft.App/containerApps/$app/stop?api-version=2026-01-01"
      stopped="$stopped$app "
      azd env set OLLM_STANDBY_STOPPED "$(echo $stopped)"
    done
    ;;
  *)
    echo "usage: azd-hooks.sh predeploy-silo|postdeploy|postprovision" >&2
    exit 2
    ;;
esac
