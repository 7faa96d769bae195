{
  # One addon, "rfbcast". Each optional library is probed by native/lib.sh;
  # a missing one only removes its feature (the addon's features() reports it).
  "variables": {
    "have_x264%": "<!(sh native/lib.sh have x264)",
    "have_turbojpeg%": "<!(sh native/lib.sh have libturbojpeg)",
    "have_webp%": "<!(sh native/lib.sh have libwebp)",
    "have_png%": "<!(sh native/lib.sh have libpng)",
    "have_yuv%": "<!(sh native/lib.sh have yuv)"
  },
  "targets": [
    {
      "target_name": "rfbcast",
      "dependencies": ["<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"],
      "sources": [
        "native/addon.cc",
        "native/common/napi_util.cc",
        "native/common/side_thread.cc",
        "native/convert/pixel_format.cc",
        "native/convert/rgb_to_yuv.cc",
        "native/convert/yuv_to_rgb.cc",
        "native/convert/convert.cc",
        "native/convert/convert_napi.cc",
        "native/h264/bit_io.cc",
        "native/h264/sps_vui.cc",
        "native/h264/avcc.cc",
        "native/h264/h264_napi.cc",
        "native/vtenc/nv12_input.cc",
        "native/vtenc/nv12_input_napi.cc",
        "native/image/jpeg.cc",
        "native/image/png.cc",
        "native/image/webp.cc",
        "native/image/image_encoder.cc",
        "native/image/image_napi.cc"
      ],
      "cflags_cc": ["-std=c++17", "-O3", "-Wall", "-Wextra", "-Wno-unused-parameter", "-Wno-missing-field-initializers"],
      "cflags_cc!": ["-std=gnu++17", "-std=gnu++20"],
      "xcode_settings": {
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
        "GCC_OPTIMIZATION_LEVEL": "3",
        "MACOSX_DEPLOYMENT_TARGET": "12.0",
        "OTHER_CFLAGS": ["-Wall", "-Wextra", "-Wno-unused-parameter", "-Wno-missing-field-initializers"]
      },
      "conditions": [
        ["OS=='mac'", {
          "sources": [
            "native/vtenc/vt_session.mm",
            "native/vtenc/vt_napi.mm",
            "native/vtenc/metal_device.mm",
            "native/vtenc/metal_napi.mm"
          ],
          "defines": ["RFB_HAVE_VTENC", "RFB_HAVE_METAL"],
          "xcode_settings": { "CLANG_ENABLE_OBJC_ARC": "YES" },
          "link_settings": {
            "libraries": [
              "-framework VideoToolbox", "-framework CoreMedia", "-framework CoreVideo",
              "-framework CoreFoundation", "-framework IOSurface", "-framework Metal", "-framework Foundation",
              "-lobjc"
            ]
          }
        }],
        ["have_x264==1", {
          "defines": ["RFB_HAVE_X264"],
          "sources": ["native/x264/x264_session.cc", "native/x264/x264_napi.cc"],
          "include_dirs": ["<!@(sh native/lib.sh include x264)"],
          "libraries": ["<!@(sh native/lib.sh libs x264)"]
        }],
        ["have_yuv==1", {
          "defines": ["RFB_HAVE_YUV"],
          "include_dirs": ["<!@(sh native/lib.sh include yuv)"],
          "libraries": ["<!@(sh native/lib.sh libs yuv)"]
        }],
        ["have_turbojpeg==1", {
          "defines": ["RFB_HAVE_TURBOJPEG"],
          "include_dirs": ["<!@(sh native/lib.sh include libturbojpeg)"],
          "libraries": ["<!@(sh native/lib.sh libs libturbojpeg)"]
        }],
        ["have_png==1", {
          "defines": ["RFB_HAVE_PNG"],
          "include_dirs": ["<!@(sh native/lib.sh include libpng)"],
          "libraries": ["<!@(sh native/lib.sh libs libpng)"]
        }],
        ["have_webp==1", {
          "defines": ["RFB_HAVE_WEBP"],
          "include_dirs": ["<!@(sh native/lib.sh include libwebp)"],
          "libraries": ["<!@(sh native/lib.sh libs libwebp)"]
        }]
      ]
    }
  ]
}
