// Upstream repro (denoland/deno): every napi External stays allocated in Deno 2.9.
// external(): napi_create_external with no finalizer. wrapped(): the same token on a plain
// object through napi_wrap, with a finalizer. Both values are dropped at once by the caller.
#include <node_api.h>

static void finalize(napi_env env, void* data, void* hint) {}

static napi_value external(napi_env env, napi_callback_info info) {
  napi_value value;
  napi_create_external(env, (void*)1, NULL, NULL, &value);
  return value;
}

static napi_value wrapped(napi_env env, napi_callback_info info) {
  napi_value value;
  napi_create_object(env, &value);
  napi_wrap(env, value, (void*)1, finalize, NULL, NULL);
  return value;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor exports_[] = {
    { "external", NULL, external, NULL, NULL, NULL, napi_default, NULL },
    { "wrapped", NULL, wrapped, NULL, NULL, NULL, napi_default, NULL },
  };
  napi_define_properties(env, exports, 2, exports_);
  return exports;
}
