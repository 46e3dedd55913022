# `cmake --install` for gan.cpp (included by CMakeLists.txt when GAN_INSTALL is on):
#   bin/gan                                   the program
#   lib/libgan.a (or libgan.so.*)             the library, target gan::gan
#   include/gan/gan.h, include/gan/version.h  the umbrella header and the version
#   include/gan/<module>/*.h, *.inc           src/<module>/*.h, less tests' and ISA kernels' headers, and
#                                             the class-body fragments they include
#   lib/cmake/gan/                            ganConfig.cmake, its version file, ganTargets*.cmake,
#                                             ganDependencies.cmake: find_package(gan)
# Users include <gan/models/gan_model.h>; the headers include each other as "core/tensor.h", so the
# exported target puts both include/ and include/gan on the include path.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(GAN_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/gan)

target_include_directories(gan_lib PUBLIC
  $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>
  $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}/gan>)

# The installed program finds a shared libgan beside it in ../lib.
if(GAN_BUILD_SHARED)
  set_target_properties(gan PROPERTIES INSTALL_RPATH "$ORIGIN/../${CMAKE_INSTALL_LIBDIR}")
endif()

install(TARGETS gan_lib EXPORT ganTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS gan RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# Public headers: every src/<module>/*.h except the tests' (*_test.h, *_test_util.h) and the
# per-ISA kernel declarations (*_avx2.h, *_avx512.h), which only the library's .cpp files include.
file(GLOB GAN_PUBLIC_HEADERS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/*/*.h)
list(FILTER GAN_PUBLIC_HEADERS EXCLUDE REGEX "_test[^/]*\\.h$")
list(FILTER GAN_PUBLIC_HEADERS EXCLUDE REGEX "_avx(2|512)\\.h$")
if(NOT GAN_WITH_CUDA)
  list(FILTER GAN_PUBLIC_HEADERS EXCLUDE REGEX "/src/cuda/")
endif()
# Class-body fragments the headers include (backend/backend_ops.inc).
file(GLOB GAN_PUBLIC_FRAGMENTS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/*/*.inc)
list(APPEND GAN_PUBLIC_HEADERS ${GAN_PUBLIC_FRAGMENTS})
foreach(header ${GAN_PUBLIC_HEADERS})
  get_filename_component(dir ${header} DIRECTORY)
  get_filename_component(module ${dir} NAME)
  install(FILES ${header} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/gan/${module})
endforeach()
install(FILES ${PROJECT_SOURCE_DIR}/include/gan/gan.h ${GAN_GENERATED_INCLUDE}/gan/version.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/gan)

# The package: targets, the dependency finder they need, config and version (0.x: a new minor
# version may change the API, so only the same major.minor is compatible).
install(EXPORT ganTargets NAMESPACE gan:: DESTINATION ${GAN_INSTALL_CMAKEDIR} FILE ganTargets.cmake)
string(TOLOWER ${GAN_LIB_TYPE} GAN_LIB_TYPE_LOWER)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/ganConfig.cmake.in
  ${PROJECT_BINARY_DIR}/ganConfig.cmake INSTALL_DESTINATION ${GAN_INSTALL_CMAKEDIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/ganConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/ganConfig.cmake ${PROJECT_BINARY_DIR}/ganConfigVersion.cmake
              ${PROJECT_SOURCE_DIR}/cmake/ganDependencies.cmake
        DESTINATION ${GAN_INSTALL_CMAKEDIR})

# gan fetch's script (share/gan, where an installed bin/gan looks first).
install(PROGRAMS ${PROJECT_SOURCE_DIR}/scripts/fetch_mnist.sh DESTINATION ${CMAKE_INSTALL_DATADIR}/gan)

# gan serve's page (share/gan/web, where an installed bin/gan looks first): web/'s three files and the
# three onnxruntime-web files the page loads, when `npm ci` in web/ has put them there.
install(FILES ${PROJECT_SOURCE_DIR}/web/index.html ${PROJECT_SOURCE_DIR}/web/app.js ${PROJECT_SOURCE_DIR}/web/style.css
  DESTINATION ${CMAKE_INSTALL_DATADIR}/gan/web)
foreach(f ort.wasm.min.js ort-wasm-simd-threaded.mjs ort-wasm-simd-threaded.wasm)
  set(ort ${PROJECT_SOURCE_DIR}/web/node_modules/onnxruntime-web/dist/${f})
  if(EXISTS ${ort})
    install(FILES ${ort} DESTINATION ${CMAKE_INSTALL_DATADIR}/gan/web/node_modules/onnxruntime-web/dist)
  endif()
endforeach()
