; Inno Setup script: a setup program for the Windows one-folder bundle.
; Build the bundle first (python installer\build.py), then: iscc installer\windows\geor-desktop.iss
; (installer\build.py runs iscc itself when it is on the PATH). Per-user install: no administrator needed.

#define AppName "Geo-R"
#define AppExe "geor-desktop.exe"
#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define Dist "..\..\build\installer\dist\geor-desktop"

[Setup]
AppId={{6B0B7C52-3E55-4C47-9A55-6F1B7B2E4D10}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=Geo-R developers
DefaultDirName={localappdata}\Programs\Geo-R
DefaultGroupName={#AppName}
PrivilegesRequired=lowest
OutputDir=..\..\build\installer\dist
OutputBaseFilename=geor-desktop-{#AppVersion}-windows-x64-setup
SetupIconFile=..\..\build\installer\geor.ico
UninstallDisplayIcon={app}\{#AppExe}
Compression=lzma2/max
SolidCompression=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
WizardStyle=modern

[Files]
Source: "{#Dist}\*"; DestDir: "{app}"; Flags: recursesubdirs createallsubdirs ignoreversion

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{group}\Uninstall {#AppName}"; Filename: "{uninstallexe}"
Name: "{userdesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "Create a desktop shortcut"; Flags: unchecked

[Registry]
; "Open with Geo-R" on folders (Explorer's context menu), for this user only
Root: HKCU; Subkey: "Software\Classes\Directory\shell\GeoR"; ValueType: string; ValueName: ""; ValueData: "Open with Geo-R"; Flags: uninsdeletekey
Root: HKCU; Subkey: "Software\Classes\Directory\shell\GeoR"; ValueType: string; ValueName: "Icon"; ValueData: "{app}\{#AppExe}"
Root: HKCU; Subkey: "Software\Classes\Directory\shell\GeoR\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" ""%1"""

[Run]
Filename: "{app}\{#AppExe}"; Description: "Start Geo-R"; Flags: nowait postinstall skipifsilent
